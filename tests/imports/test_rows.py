"""Reading and validating rows: the spellings accepted, and the same verdicts as the models."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cases.models import Claim
from collections_portal.money import parse_amount, to_money
from creditors.models import Creditor
from debtors.services import debtor_build
from debtors.validators import normalise_phone
from integrations.imports.reading import FileError, NotAnObject, WrongWidth, read_rows
from integrations.imports.validation import MAX_LENGTHS, Validator, normalise_phone_fast, parse_date
from tests.factories import valid_cpr, valid_cvr

from .helpers import invoice_rows


@pytest.mark.parametrize("text", ["2026-03-31", "31-03-2026", "31.03.2026", "1.3.2026"])
def test_dates_iso_and_danish(text):
    assert parse_date(text) in (date(2026, 3, 31), date(2026, 3, 1))


@pytest.mark.parametrize("text", ["31-02-2026", "2026/03/31", "03-31-2026x", ""])
def test_bad_dates(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_csv_lines_count_the_header_and_multi_line_values():
    data = b'\xef\xbb\xbfdebtor_name;debtor_address;debtor_postal_code;debtor_city;' \
        b'invoice_number;invoice_date;due_date;amount\n' \
        b'A;"Vej 1\nbaghuset";8000;Aarhus;F1;01-01-2026;15-01-2026;10,00\n' \
        b'\n' \
        b'B;Vej 2;8000;Aarhus;F2;01-01-2026;15-01-2026;10,00;extra\n'  # fmt: skip
    rows = read_rows(data, "csv")
    assert [line for line, _values in rows] == [2, 5]
    assert rows[0][1].get("debtor_address") == "Vej 1\nbaghuset"
    assert rows[1][1] == WrongWidth(9, 8)


def test_a_csv_without_the_required_columns_is_a_file_error():
    with pytest.raises(FileError, match="invoice_number"):
        read_rows(b"debtor_name,amount\nx,1\n", "csv")


def test_json_numbers_stay_exact():
    rows = read_rows(b'[{"amount": 0.1}, {"debtor": {"name": "N"}}]', "json")
    assert rows[0][1]["amount"] == Decimal("0.1")
    assert rows[1][1]["debtor_name"] == "N"


def test_a_row_too_short_or_not_an_object_is_named():
    v = Validator(currency="DKK")
    (width,) = v.validate(3, WrongWidth(2, 8))
    assert (width.line, width.code) == (3, "columns")
    (obj,) = v.validate(4, NotAnObject())
    assert obj.line == 4


# --- The importer's verdicts are the models' ----------------------------------------------

DEBTOR_CASES = [
    {},
    {"debtor_national_id": "010190-1234"},
    {"debtor_national_id": " 0101901234 "},
    {"debtor_national_id": "3213901234"},
    {"debtor_national_id": "01019012"},
    {"debtor_national_id": "01019O1234"},
    {"debtor_national_id": valid_cvr(5)},
    {"debtor_national_id": "12345678"},
    {"debtor_kind": "company", "debtor_national_id": valid_cpr(5)},
    {"debtor_postal_code": "800"},
    {"debtor_postal_code": "DK-8000"},
    {"debtor_country": "SE", "debtor_postal_code": "123 45"},
    {"debtor_country": "sweden"},
    {"debtor_country": "D1"},
    {"debtor_name": "  "},
    {"debtor_name": "x" * 201},
    {"debtor_city": ""},
    {"debtor_address": "y" * 200},
    {"debtor_language": "en"},
    {"debtor_language": "de"},
    {"debtor_national_id": "0101901234" + "0" * 11},
]


@pytest.mark.parametrize("change", DEBTOR_CASES)
def test_the_debtor_verdict_is_debtor_builds(change):
    row = {**invoice_rows(1)[0], **change}
    verdict = Validator(currency="DKK").validate(2, row)
    mine = (
        set()
        if not isinstance(verdict, list)
        else {r.field.removeprefix("debtor_") for r in verdict}
    )
    kind = change.get("debtor_kind") or (
        "company" if len(row["debtor_national_id"].strip().replace("-", "")) == 8 else "person"
    )
    try:
        debtor = debtor_build(
            creditor=Creditor(pk=1),
            kind=kind,
            name=row["debtor_name"],
            national_id=row["debtor_national_id"],
            address_line=row["debtor_address"],
            postal_code=row["debtor_postal_code"],
            city=row["debtor_city"],
            country=row.get("debtor_country", "DK"),
            language=row.get("debtor_language", "da"),
        )
        theirs = set()
    except ValidationError as exc:
        theirs = set(exc.message_dict)
        debtor = None
    renamed = {"address_line": "address", "national_id": "national_id"}
    assert mine == {renamed.get(f, f) for f in theirs}
    if debtor is not None:
        assert verdict.national_id == debtor.national_id
        assert verdict.country == debtor.country


CLAIM_CASES = [
    {},
    {"amount": "0,001"},
    {"amount": "99999999999999"},
    {"amount": "0.01"},
    {"due_date": "2025-12-31", "invoice_date": "2026-01-01"},
    {"invoice_number": " F-1 "},
    {"invoice_number": "x" * 101},
    {"description": "d" * 301},
]


@pytest.mark.parametrize("change", CLAIM_CASES)
def test_the_claim_verdict_is_the_claims(change):
    row = {**invoice_rows(1)[0], **change}
    verdict = Validator(currency="DKK").validate(2, row)
    mine = set() if not isinstance(verdict, list) else {r.field for r in verdict}
    try:
        claim = Claim(
            invoice_number=row["invoice_number"].strip(),
            description=row["description"],
            invoice_date=parse_date(row["invoice_date"]),
            due_date=parse_date(row["due_date"]),
            principal=to_money(parse_amount_or_raw(row["amount"]), field="principal"),
        )
        claim.full_clean(
            exclude=["case", "creditor"], validate_unique=False, validate_constraints=False
        )
        theirs = set()
    except ValidationError as exc:
        theirs = set(exc.message_dict)
    renamed = {"principal": "amount"}
    assert mine == {renamed.get(f, f) for f in theirs}


def parse_amount_or_raw(text: str):
    try:
        return parse_amount(text)
    except ValueError:
        return "invalid" if "," not in text else text.replace(",", ".")


@pytest.mark.parametrize(
    "number",
    ["20 12 34 56", "+45 20123456", "004520123456", "20000000", "80 10 20 30", "11223344",
     "+46 70 123 45 67", "2012345", "12 34 56 78", "+4533221100", "90 12 34 56"],
)  # fmt: skip
def test_the_phone_short_cut_agrees_with_normalise_phone(number):
    def verdict(function):
        try:
            return function(number)
        except ValidationError as exc:
            return ("error", exc.messages[0])

    assert verdict(normalise_phone_fast) == verdict(normalise_phone)


# --- Reading a piece at a time ------------------------------------------------------------


def test_json_read_in_tiny_pieces_is_read_as_a_whole(monkeypatch):
    """Every value cut at every place by the pieces (numbers, strings, escapes, UTF-8)."""
    from integrations.imports import reading as rows_module

    data = (
        '{"meta": {"sent": [1, 2.50, "x"]}, "invoices": [{"amount": 1234.56, "debtor": '
        '{"name": "Søren \\"Sø\\" Ærø"}}, 17, {"amount": "10,00"}], "after": null}'
    ).encode()
    whole = read_rows(data, "json")
    monkeypatch.setattr(rows_module, "_JSON_PIECE", 3)
    assert [(line, v if isinstance(v, dict) else type(v)) for line, v in read_rows(data, "json")] \
        == [(line, v if isinstance(v, dict) else type(v)) for line, v in whole]  # fmt: skip
    assert whole[0][1] == {"amount": Decimal("1234.56"), "debtor_name": 'Søren "Sø" Ærø'}
    assert isinstance(whole[1][1], NotAnObject)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b'[{"a": 1}', "line 1"),
        (b'[{"a": 1}]\n[', "line 2, column 1"),
        (b'{"other": []}', "invoices"),
        (b'"text"', "invoices"),
    ],
)
def test_broken_json_is_a_file_error_with_where(data, says):
    with pytest.raises(FileError, match=says):
        read_rows(data, "json")


def test_the_length_limits_are_the_model_fields():
    """Reading and validating are two modules; the lengths a row may have are the models'."""
    from cases.models import Case, Claim
    from debtors.models import ContactPoint, Debtor

    fields = {
        "debtor_name": Debtor._meta.get_field("name"),
        "debtor_national_id": Debtor._meta.get_field("national_id"),
        "debtor_address": Debtor._meta.get_field("address_line"),
        "debtor_postal_code": Debtor._meta.get_field("postal_code"),
        "debtor_city": Debtor._meta.get_field("city"),
        "debtor_email": ContactPoint._meta.get_field("value"),
        "debtor_phone": ContactPoint._meta.get_field("value"),
        "invoice_number": Claim._meta.get_field("invoice_number"),
        "description": Claim._meta.get_field("description"),
        "reference": Case._meta.get_field("creditor_reference"),
    }
    assert {column: field.max_length for column, field in fields.items()} == MAX_LENGTHS
    import inspect

    from integrations.imports import validation

    source = inspect.getsource(validation)
    assert "max_length" in source
    assert '"debtor_name": 200' not in source
