"""The credit-bureau flow runs as the application role, and its attempt log is append-only."""

from __future__ import annotations

from datetime import date

import pytest

from cases.models_credit_bureau import (
    AttemptOutcome,
    CreditBureauAttempt,
    CreditBureauSubmission,
    RegistrationStatus,
    SubmissionStatus,
)
from cases.services import lifecycle
from cases.services.credit_bureau import credit_bureau_register, credit_bureau_warn
from collections_portal.tenancy import creditor_scope
from tests.collections_portal.test_db_roles import (  # noqa: F401 (app_role is a fixture)
    REFUSED,
    app_connection,
    app_role,
    current_user,
    django_as,
    refused,
)

from .helpers import at
from .test_credit_bureau import ELIGIBLE, WARNED, in_collection, registration


def test_warn_register_send_and_deregister_as_the_application_role(
    app_role,  # noqa: F811
    tenant_a,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CREDIT_BUREAU_URL = ""
    settings.CREDIT_BUREAU_OUTBOX = str(tmp_path / "outbox")
    creditor = tenant_a.creditor
    case = in_collection(creditor)
    from collections_portal.celery import app

    # The sends queued on commit run here, eagerly, on the application role's connection.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    try:
        with django_as(app_role), creditor_scope(creditor):
            assert current_user() == app_role["USER"]
            with at(WARNED):
                credit_bureau_warn(case=case, bureau="rki", on=WARNED)
            with at(ELIGIBLE):
                credit_bureau_register(case=case, bureau="rki", on=ELIGIBLE)
            with at(date(2025, 3, 1)):
                lifecycle.case_withdraw(case=case)
            statuses = set(CreditBureauSubmission.objects.values_list("status", flat=True))
    finally:
        app.conf.task_always_eager = False
    assert statuses == {SubmissionStatus.SENT}
    row = registration(case)
    assert row.status == RegistrationStatus.DEREGISTERED
    assert len(list((tmp_path / "outbox").iterdir())) == 2
    with creditor_scope(creditor):
        attempt = CreditBureauAttempt.objects.order_by("pk").first()
    assert attempt.outcome == AttemptOutcome.ACCEPTED
    pk = int(attempt.pk)
    statements = (
        "UPDATE cases_creditbureauattempt SET outcome = 'pending' WHERE id = %d",  # written once
        "UPDATE cases_creditbureauattempt SET adapter = 'x' WHERE id = %d",  # never changes
        "DELETE FROM cases_creditbureauattempt WHERE id = %d",
    )
    with app_connection(app_role) as conn:
        for statement in statements:
            assert refused(conn, statement % pk) in REFUSED, statement


pytestmark = pytest.mark.django_db(transaction=True)
