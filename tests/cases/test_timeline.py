"""The timeline's one list of event codes: every code written anywhere is in it, with a title
in Danish and English, and a code not in it is refused."""

from __future__ import annotations

import ast
import re

import pytest
from django.utils import translation

from cases.timeline import EVENTS, event_record, event_title
from collections_portal.tenancy import creditor_scope
from tests.collections_portal.test_import_layers import modules
from tests.factories import CaseFactory

CODE = re.compile(r"^(case|claim|notice|plan|payment|credit_bureau)\.[a-z_]+$")


def _codes_in_source() -> dict[str, str]:
    """Every dotted event code written in the apps' code (webhook event types aside: they
    are another list, ``integrations.webhooks.models.EventType``)."""
    found = {}
    for module, path in modules().items():
        if module.startswith("integrations.webhooks"):
            continue
        tree = ast.parse(path.read_text())
        # A serializer field's ``source="case.reference"`` is an attribute path, not a code.
        paths = {
            id(node.value) for node in ast.walk(tree) if isinstance(node, ast.keyword)
            and node.arg == "source"
        }  # fmt: skip
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and CODE.match(node.value)
                and id(node) not in paths
            ):
                found[node.value] = module
    return found


def test_every_code_written_is_registered():
    found = _codes_in_source()
    assert "case.reminder_sent" in found and "notice.delivery_skipped" in found
    assert "claim.time_barred" in found and "credit_bureau.cancelled" in found
    missing = {code: module for code, module in found.items() if code not in EVENTS}
    assert not missing, f"Event codes not in cases.timeline.EVENTS: {missing}"


def test_every_code_has_a_danish_title():
    with translation.override("en"):
        english = {code: str(event.title) for code, event in EVENTS.items()}
    with translation.override("da"):
        untranslated = [code for code, event in EVENTS.items() if str(event.title) == english[code]]
    assert not untranslated
    with translation.override("da"):
        assert event_title("case.reminder_sent") == "Rykker sendt"
    with translation.override("en"):
        assert event_title("case.reminder_sent") == "Reminder sent"
    assert event_title("case.something_old") == "case.something_old"


@pytest.mark.django_db
def test_an_unknown_code_is_refused(tenant_a):
    with creditor_scope(tenant_a.creditor):
        case = CaseFactory(creditor=tenant_a.creditor)
        with pytest.raises(ValueError, match=r"case\.made_up"):
            event_record(case=case, code="case.made_up")
        event = event_record(case=case, code="case.note", actor="someone", message="hi")
    assert event.code == "case.note" and event.actor_label == "someone"


def test_the_case_page_filter_shows_the_title():
    from django.template import Context, Template

    template = Template("{% load timeline %}{{ code|event_title }}")
    with translation.override("da"):
        assert template.render(Context({"code": "case.note"})) == "Notat"
    with translation.override("en"):
        assert template.render(Context({"code": "plan.broken"})) == "Instalment plan broken"
