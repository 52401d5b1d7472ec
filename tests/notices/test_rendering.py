"""Every kind of letter in both languages, rendered to PDF and read back as text."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.utils import translation
from stdnum import luhn

from cases import selectors
from collections_portal.tenancy import creditor_scope
from notices.models import Notice, NoticeKind, NoticeStatus
from notices.rendering import renderer_for
from notices.services import _store_once, notice_render
from notices.templatetags.letters import letterdate, money

from .pdf import first_page_png, pdf_region_text, pdf_text, qr_codes
from .story import INVOICES, story_case

ROOT = Path(__file__).resolve().parents[2]
LETTERS = ROOT / "var" / "letters"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def expected_total(notice: Notice):
    """The ledger's total on the letter's date plus the interest the rules engine accrues."""
    balance = selectors.case_balance(notice.case, on=notice.dated)
    accrued = sum(
        (
            a.figure.amount
            for a in selectors.interest_accruals(case=notice.case, up_to=notice.dated)
        ),
        0,
    )
    return balance.total + accrued - balance.credit


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("language", ["da", "en"])
def test_every_kind_renders_with_name_invoices_total_and_deadline(tenant_a, tmp_path, language):
    story = story_case(tenant_a.creditor, language=language)
    folder = LETTERS / language
    with creditor_scope(tenant_a.creditor):
        for kind in NoticeKind.values:
            notice = notice_render(notice=story.notices[kind])
            assert notice.status == NoticeStatus.RENDERED
            data = notice.pdf.read()
            assert data.startswith(b"%PDF")
            text = flat(pdf_text(data, tmp_path, name=kind))
            assert "Karen Blixen Hansen" in text, kind
            for invoice in INVOICES:
                assert invoice in text, (kind, invoice)
            with translation.override(language):
                assert money(expected_total(notice)) in text, (kind, text)
                if notice.deadline:
                    assert letterdate(notice.deadline) in text, (kind, notice.deadline)
            page = "Side 1 af" if language == "da" else "Page 1 of"
            assert page in text
            png = first_page_png(data, folder, kind)
            first_page_png(data, tmp_path / "letters" / language, kind)
            assert png.stat().st_size > 1000
    print(f"\nfirst pages of every kind ({language}): {folder} and {tmp_path / 'letters'}")


def test_the_warning_states_everything_section_10_requires(tenant_a, tmp_path):
    story = story_case(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor):
        notice = notice_render(notice=story.notices[NoticeKind.WARNING])
        text = flat(pdf_text(notice.pdf.read(), tmp_path))
        claims = list(notice.case.claims.order_by("due_date"))
        total = expected_total(notice)
    assert tenant_a.creditor.name in text and tenant_a.creditor.cvr in text  # the creditor
    with translation.override("da"):
        for claim in claims:  # each invoice: number, invoice date, due date, amount
            row = (
                f"{claim.invoice_number} {letterdate(claim.invoice_date)} "
                f"{letterdate(claim.due_date)} {money(claim.principal)}"
            )
            assert row in text, row
        assert "Rykkergebyrer 100,00 DKK" in text  # fees so far, from the ledger
        assert "Renter hidtil" in text  # interest so far
        assert f"Betal {money(total)} DKK senest" in text  # the total
        assert (notice.deadline - notice.dated).days >= 10
        assert f"senest {letterdate(notice.deadline)}" in text  # the deadline
    assert "+71<" in text and "Reg.nr. 1234, konto 0001234567" in text  # how to pay
    assert "overdrages kravet til inkasso" in text and "inkassoomkostninger på op til" in text
    assert "inkassoloven § 10" in text


@pytest.mark.parametrize(
    ("language", "clause"),
    [
        ("da", "kan uden forudgående dom tjene som grundlag for tvangsfuldbyrdelse"),
        ("en", "without a prior judgment, serve as the basis for enforcement"),
    ],
)
def test_the_collection_letter_carries_the_settlement_with_478_clause(
    tenant_a, tmp_path, language, clause
):
    story = story_case(tenant_a.creditor, language=language)
    with creditor_scope(tenant_a.creditor):
        notice = notice_render(notice=story.notices[NoticeKind.COLLECTION_LETTER])
    text = flat(pdf_text(notice.pdf.read(), tmp_path))
    assert clause in text
    assert "478, stk. 1, nr. 4" in text
    assert "skyldnererklæring" in text.lower()
    # The agency writes once the case is in collection, on the creditor's behalf.
    assert "Inkassoportal ApS" in text


def test_the_fik_line_carries_the_payment_id_with_its_check_digit(tenant_a, tmp_path):
    story = story_case(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor):
        notice = notice_render(notice=story.notices[NoticeKind.REMINDER])
    text = pdf_text(notice.pdf.read(), tmp_path)
    match = re.search(r"\+71<(\d{15})\+(\d{8})<", text)
    assert match, text
    payment_id, creditor_number = match.groups()
    assert luhn.is_valid(payment_id)
    assert int(payment_id[:14]) == story.case.number
    assert creditor_number == "87654321"


@pytest.mark.parametrize("payee", ["Nordlys El A/S", "Ærø Fjernvarme & Søn ApS"])
def test_the_qr_code_scans_to_the_payment_details(tenant_a, tmp_path, payee):
    """Scanned off the printed page: FIK line, payee (æøå as UTF-8), amount, payment id."""
    tenant_a.creditor.name = payee
    tenant_a.creditor.save(update_fields=["name"])
    story = story_case(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor):
        notice = notice_render(notice=story.notices[NoticeKind.WARNING])
        total = expected_total(notice)
    codes = qr_codes(notice.pdf.read(), tmp_path)
    assert len(codes) == 1, codes
    lines = codes[0].split("\n")
    assert lines[0] == story.case.fik_line
    assert f"PAYEE:{payee}" in lines
    assert f"AMOUNT:DKK {total:.2f}" in lines
    assert f"PAYMENT-ID:{story.case.payment_id}" in lines


def test_the_window_shows_the_address_and_nothing_about_collection(tenant_a, tmp_path):
    """A C5/C65 window: about 20 mm from the left, 45 mm from the top, 90 x 45 mm."""
    story = story_case(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor):
        for kind in (NoticeKind.WARNING, NoticeKind.COLLECTION_LETTER):
            data = notice_render(notice=story.notices[kind]).pdf.read()
            window = pdf_region_text(data, tmp_path, x_mm=20, y_mm=45, w_mm=90, h_mm=45)
            assert "Karen Blixen Hansen" in window
            assert "Rungstedvej 111" in window and "2960 Rungsted Kyst" in window
            assert "inkasso" not in window.lower(), window
            assert tenant_a.creditor.name not in window


def test_rendering_again_returns_the_stored_letter(tenant_a, tmp_path):
    story = story_case(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor):
        first = notice_render(notice=story.notices[NoticeKind.WARNING])
        data = first.pdf.read()
        assert hashlib.sha256(data).hexdigest() == first.pdf_sha256
        again = notice_render(notice=Notice.objects.get(pk=first.pk))
        assert again.pdf.name == first.pdf.name
        assert again.pdf_sha256 == first.pdf_sha256
        assert again.rendered_at == first.rendered_at
        assert hashlib.sha256(again.pdf.read()).hexdigest() == first.pdf_sha256
    stored = list((tmp_path / "media").rglob("*.pdf"))
    assert [p.name for p in stored if "warning" in p.name] == [Path(first.pdf.name).name]


def test_two_renders_at_once_store_one_letter(tenant_a, tmp_path):
    """Two workers given the same notice both lay it out; the first to store wins and the
    other's file is deleted, so the notice keeps exactly one letter on file."""
    story = story_case(tenant_a.creditor)
    with creditor_scope(tenant_a.creditor):
        pending = story.notices[NoticeKind.REMINDER]
        late = Notice.objects.select_related("case__creditor", "case__debtor").get(pk=pending.pk)
        filename, _mimetype, data = renderer_for(late).generate(late)  # the slower worker
        first = notice_render(notice=pending)  # the faster worker stores its letter
        result = _store_once(late, filename, data)
        assert result.pdf.name == first.pdf.name
        assert result.pdf_sha256 == first.pdf_sha256
        assert result.status == NoticeStatus.RENDERED
    stored = [p.name for p in (tmp_path / "media").rglob("*.pdf") if "reminder" in p.name]
    assert stored == [Path(first.pdf.name).name]
