"""Bank files in the tests: the sample files in samples/, filled in with the cases' payment
IDs and amounts, received and read through the services as an upload is."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cases.models import Case
from collections_portal.tenancy import agency_scope
from integrations.bank.services import bank_file_process, bank_file_receive
from tests.cases.helpers import claim, file_case
from tests.factories import DebtorFactory, agency_user

SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture(autouse=True)
def _files_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def agent(db):
    return agency_user(username="agent-kim")


def sample(name: str, **values) -> bytes:
    """A sample file with its {PLACEHOLDERS} filled in (the day defaults to yesterday)."""
    day = timezone.localdate() - timedelta(days=1)
    values.setdefault("DAY", day.isoformat())
    values.setdefault("DAY_DMY", day.strftime("%d-%m-%Y"))
    values.setdefault("DAY_DOT", day.strftime("%d.%m.%Y"))
    text = (SAMPLES / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    assert "{" not in text.split("-->")[-1], f"{name}: a placeholder is not filled in"
    return text.encode("utf-8")


def read_file(data: bytes, name: str = "bank.xml", user=None):
    """Receive a file and read it, as the Celery task does."""
    bank_file = bank_file_receive(data=data, name=name, source="test", user=user)
    return bank_file_process(file_id=bank_file.pk)


def debt_case(creditor, principal: str = "1000.00", *, name: str | None = None, **kwargs):
    debtor = DebtorFactory(creditor=creditor, **({"name": name} if name else {}))
    due = timezone.localdate() - timedelta(days=40)
    return file_case(creditor, claim(f"F-{debtor.pk}", principal, due), debtor=debtor, **kwargs)


def fresh(case: Case) -> Case:
    with agency_scope(reason="test"):
        return Case.objects.get(pk=case.pk)


@pytest.fixture(autouse=True)
def _in_english():
    """Reasons are recorded in the language active when the file is read (Danish in the
    worker); these tests read them in English."""
    from django.utils import translation

    with translation.override("en"):
        yield
