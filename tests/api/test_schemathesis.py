"""schemathesis against /api/schema/: generated requests to every operation find no server
error, and every documented response matches its schema.

Runs in-process against the WSGI application (the test's database transaction), with a valid
API key, a bounded and derandomized number of examples per operation, and the path ids of real
objects of the key's creditor, so the actions and details are exercised, not only the 404s.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.files.base import ContentFile
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from cases.models import PaymentMethod
from cases.services import payment_register
from cases.services.documents import case_document_add
from collections_portal.tenancy import creditor_scope
from integrations.api.throttling import ApiKeyRateThrottle
from tests.cases.helpers import claim, file_case

from .conftest import key_client

MAX_EXAMPLES = 15


@pytest.fixture
def objects(tenant_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = file_case(
        tenant_a.creditor, claim("S-1", "800.00", timezone.localdate() - timedelta(40))
    )
    with creditor_scope(tenant_a.creditor):
        payment = payment_register(
            case=case, amount="10.00", received_on=timezone.localdate(), method=PaymentMethod.OTHER
        )
        document = case_document_add(case=case, file=ContentFile(b"%PDF-1.4 x", name="x.pdf"))
        from cases.services.lifecycle import dispute_open

        dispute_open(case=case, reason="Schemathesis")
        notice = case.notices.get()
    return {
        "/debtors/": case.debtor.pk,
        "/cases/": case.pk,
        "/payments/": payment.pk,
        "/notices/": notice.pk,
        "/documents/": document.pk,
    }


def _real_id(path: str, objects: dict) -> int | None:
    for prefix, pk in objects.items():
        if path.startswith("/api/v1" + prefix):
            return pk
    return None


@pytest.fixture
def wsgi_app():
    """The WSGI application, keeping the test's database connection open between requests
    (as Django's test client does): it runs inside the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_no_operation_answers_a_server_error(tenant_a, objects, wsgi_app, monkeypatch):
    monkeypatch.setattr(ApiKeyRateThrottle, "THROTTLE_RATES", {"api_key": "100000/min"})
    raw = key_client(tenant_a.creditor).raw_key
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    headers = {"Authorization": f"Bearer {raw}"}
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    timings: dict[str, float] = {}
    for operation in operations:
        path_parameters = {}
        if "{id}" in operation.path:
            path_parameters["id"] = _real_id(operation.path, objects)

        @given(case=operation.as_strategy(path_parameters=path_parameters or None))
        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            response = case.call(headers=headers)
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )

        began = time.monotonic()
        run()
        timings[operation.label] = time.monotonic() - began
    print(
        "\n".join(
            f"{t:6.2f} s  {label}" for label, t in sorted(timings.items(), key=lambda x: -x[1])
        )
    )
    # Speed is not a test's business (a loaded machine is slower): the timings are printed
    # for whoever wants them, and the suite's own duration is watched as a whole.
    print(f"schemathesis: {time.monotonic() - started:.0f} s for {len(operations)} operations")
