"""The portal's base (issue 15, item 7): error pages in the portal's frame and both languages,
amounts with thousands separators, English dates the British way, htmx from our own files."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

pytestmark = pytest.mark.django_db


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load portal %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("da", "1.234.567,89"), ("en", "1,234,567.89")],
)
def test_amounts_have_thousands_separators_in_the_pages_language(language, expected):
    assert render("{{ v|money }}", language, v=Decimal("1234567.891")) == expected


def test_small_negative_and_missing_amounts():
    assert render("{{ v|money }}", "da", v=Decimal("-999.5")) == "-999,50"
    assert render("{{ v|money }}", "en", v=None) == ""
    assert render("{{ v|number }}", "da", v=12345) == "12.345"
    assert render("{{ v|percent }}", "da", v=Decimal("0.4567")) == "45,7\u00a0%"
    assert render("{{ v|percent }}", "en", v=Decimal("0.4567")) == "45.7%"
    assert render("{{ v|percent }}", "en", v=None) == "\u2013"


def test_english_dates_are_day_month_year():
    day = date(2026, 3, 4)
    assert render('{{ d|date:"SHORT_DATE_FORMAT" }}', "en", d=day) == "04/03/2026"
    assert render('{{ d|date:"DATE_FORMAT" }}', "en", d=day) == "4 Mar 2026"
    moment = timezone.make_aware(datetime(2026, 3, 4, 15, 30))
    assert render('{{ d|date:"SHORT_DATETIME_FORMAT" }}', "en", d=moment) == "04/03/2026 15:30"
    # Danish stays as Django writes it.
    assert render('{{ d|date:"SHORT_DATE_FORMAT" }}', "da", d=day) == "04.03.2026"


def test_htmx_is_served_from_our_own_static_files(client, tenant_a):
    assert finders.find("vendor/htmx/htmx.min.js")
    assert finders.find("vendor/chartjs/chart.umd.min.js")
    client.force_login(tenant_a.user)
    body = client.get("/").content.decode()
    assert 'src="/static/vendor/htmx/htmx.min.js"' in body


def test_the_htmx_middleware_is_installed(client, tenant_a):
    client.force_login(tenant_a.user)
    response = client.get("/cases/", headers={"HX-Request": "true"})
    assert response.wsgi_request.htmx


@pytest.mark.parametrize(
    ("language", "title"),
    [("da", "Siden blev ikke fundet"), ("en", "The page was not found")],
)
def test_404_is_the_portals_page_in_both_languages(client, tenant_a, language, title):
    client.force_login(tenant_a.user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert title in body
    assert 'id="creditor-switcher"' in body or 'class="current-creditor"' in body  # the frame
    assert f'<html lang="{language}"' in body


def test_404_for_a_signed_out_visitor(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Siden blev ikke fundet" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "title"),
    [("da", "Du må ikke åbne denne side"), ("en", "You may not open this page")],
)
def test_403_is_the_portals_page_in_both_languages(client, tenant_a, language, title):
    from collections_portal.errors import permission_denied

    client.force_login(tenant_a.user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    request = client.get("/").wsgi_request
    with translation.override(language):
        response = permission_denied(request)
    assert response.status_code == 403
    assert title in response.content.decode()


@pytest.mark.urls("tests.collections_portal.boom_urls")
def test_500_is_the_portals_page(client, tenant_a):
    client.raise_request_exception = False
    client.force_login(tenant_a.user)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Der opstod en fejl hos os" in body
    assert tenant_a.creditor.name in body  # in the portal's frame


@pytest.mark.urls("tests.collections_portal.boom_urls")
def test_500_without_a_database_still_answers(client, tenant_a, monkeypatch):
    from collections_portal import errors

    def broken(*args, **kwargs):
        raise RuntimeError("the database is down")

    monkeypatch.setattr(errors, "render", broken)
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Der opstod en fejl" in response.content.decode()
