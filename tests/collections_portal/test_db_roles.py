# ruff: noqa: S608 - the SQL here is built from this module's own table names and keys.
"""The application runs as a database role that owns nothing, and the append-only records
(ledger, timeline, CPR reveals, payments, delivery attempts, notices) cannot be rewritten,
deleted or truncated by it, not even after a grant made by mistake.

The suite itself connects as the owner (tests/conftest.py); these tests open connections of
their own as the application role, with psycopg directly or by pointing Django's connection
at that role while the portal's services run.
"""

import os
import subprocess
import sys
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import dj_database_url
import psycopg
import pytest
import yaml
from django.core.management import call_command
from django.db import connection

from cases.models import CaseEvent, CaseState, LedgerEntry, Payment, PaymentMethod
from cases.services import lifecycle, payment_register, payment_reverse
from collections_portal import dbroles
from collections_portal.tenancy import creditor_scope
from creditors.models import Role
from debtors.models import NationalIdLookup, NationalIdReveal
from debtors.services import debtor_lookup_by_national_id as lookup_by_number
from debtors.services import debtor_reveal_national_id
from notices.delivery.models import AttemptOutcome, ChannelPolicy, Delivery, DeliveryAttempt
from notices.models import Notice, NoticeKind, NoticeStatus
from tests.cases.helpers import at, claim, file_case
from tests.delivery.helpers import deliver, email_address
from tests.factories import MembershipFactory

ROOT = Path(__file__).resolve().parents[2]
DUE = date(2025, 3, 3)
REMINDED = date(2025, 3, 10)
PAID = date(2025, 3, 14)

# One row of each append-only table is tampered with by these statements ({id}: its key).
TAMPER = {
    "cases_ledgerentry": "UPDATE cases_ledgerentry SET amount = amount + 1 WHERE id = {id}",
    "cases_caseevent": "UPDATE cases_caseevent SET message = 'rewritten' WHERE id = {id}",
    "debtors_nationalidreveal": (
        "UPDATE debtors_nationalidreveal SET reason = 'rewritten' WHERE id = {id}"
    ),
    "cases_payment": "UPDATE cases_payment SET amount = amount + 1 WHERE id = {id}",
    "delivery_deliveryattempt": (
        "UPDATE delivery_deliveryattempt SET recipient = 'x@example.dk' WHERE id = {id}"
    ),
    "notices_notice": "UPDATE notices_notice SET dated = dated - 1 WHERE id = {id}",
    "debtors_nationalidlookup": "UPDATE debtors_nationalidlookup SET reason = 'x' WHERE id = {id}",
}
MODELS = {
    "cases_ledgerentry": LedgerEntry,
    "cases_caseevent": CaseEvent,
    "debtors_nationalidreveal": NationalIdReveal,
    "cases_payment": Payment,
    "delivery_deliveryattempt": DeliveryAttempt,
    "notices_notice": Notice,
    "debtors_nationalidlookup": NationalIdLookup,
}
REFUSED = {"42501", "23001"}  # insufficient_privilege, restrict_violation (the triggers)


@pytest.fixture
def app_role(transactional_db, django_db_modify_db_settings):
    """The application role's credentials, the role existing and granted in the test database.

    Committed data (transactional_db) is what another connection sees."""
    app = django_db_modify_db_settings
    if not app or app.get("USER") == connection.settings_dict["USER"]:
        pytest.skip("One database role for everything (only DATABASE_URL given): no app role.")
    role = app["USER"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            try:
                cursor.execute(
                    f"CREATE ROLE {connection.ops.quote_name(role)} LOGIN PASSWORD %s",
                    [app["PASSWORD"]],
                )
            except Exception as exc:  # the owner may not create roles; scripts/setup does
                pytest.fail(f"The application role {role} is missing (scripts/setup): {exc}")
    dbroles.apply_roles()
    return app


@contextmanager
def app_connection(app):
    db = connection.settings_dict
    with psycopg.connect(
        host=app["HOST"] or "localhost",
        port=app["PORT"] or 5432,
        dbname=db["NAME"],
        user=app["USER"],
        password=app["PASSWORD"],
        autocommit=True,
    ) as conn:
        yield conn


def refused(conn, statement: str) -> str:
    """Run ``statement``; return the SQLSTATE of its refusal (fails the test if it passes)."""
    try:
        conn.execute(statement)
    except psycopg.Error as exc:
        return exc.sqlstate
    pytest.fail(f"Not refused: {statement}")


@contextmanager
def django_as(app):
    """Django's own connection as the application role (as web, worker and beat run)."""
    saved = {key: connection.settings_dict[key] for key in app}
    connection.close()
    connection.settings_dict.update(app)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def current_user() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        return cursor.fetchone()[0]


@pytest.fixture
def world(tenant_a, settings, tmp_path):
    """A case with a reminder (fee, notice, events), a payment, a CPR reveal and a delivery
    attempt: one row in each append-only table, made as the owner."""
    settings.MEDIA_ROOT = tmp_path / "media"
    creditor = tenant_a.creditor
    with at(date(2025, 3, 5)):
        case = file_case(creditor, claim("K-1", "1000.00", DUE))
    with creditor_scope(creditor):
        with at(REMINDED):
            notice = lifecycle.case_send_reminder(case=case, on=REMINDED)
        with at(PAID):
            payment = payment_register(
                case=case, amount=Decimal("300.00"), received_on=PAID, method=PaymentMethod.FIK
            )
        debtor_reveal_national_id(debtor=case.debtor, user=tenant_a.user, reason="phone call")
        lookup_by_number(
            creditor=creditor, national_id="0000000000", reason="phone call", user=tenant_a.user
        )
        delivery = Delivery.objects.create(creditor=creditor, notice=notice, channel="email")
        attempt = DeliveryAttempt.objects.create(creditor=creditor, delivery=delivery, number=1)
        rows = {
            "cases_ledgerentry": LedgerEntry.objects.filter(case=case).first(),
            "cases_caseevent": CaseEvent.objects.filter(case=case).first(),
            "debtors_nationalidreveal": NationalIdReveal.objects.get(debtor=case.debtor),
            "cases_payment": payment,
            "delivery_deliveryattempt": attempt,
            "notices_notice": notice,
            "debtors_nationalidlookup": NationalIdLookup.objects.get(user=tenant_a.user),
        }
    return case, {table: row.pk for table, row in rows.items()}


def snapshot(table: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")
        return cursor.fetchall()


def triggers_enabled(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass "
            "AND NOT tgisinternal",
            [table],
        )
        return dict(cursor.fetchall())


def test_the_application_role_owns_nothing_and_may_not_create_or_truncate(app_role):
    with app_connection(app_role) as conn:
        attributes = conn.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls FROM pg_roles "
            "WHERE rolname = current_user"
        ).fetchone()
        owned = conn.execute(
            "SELECT count(*) FROM pg_class WHERE relowner = "
            "(SELECT oid FROM pg_roles WHERE rolname = current_user)"
        ).fetchone()[0]
        assert attributes == (False, False, False, False)
        assert owned == 0
        assert refused(conn, "CREATE TABLE stolen (id int)") == "42501"
        # Not even the tables that are not append-only: TRUNCATE is never granted.
        assert refused(conn, "TRUNCATE cases_case CASCADE") == "42501"
        assert refused(conn, "ALTER TABLE cases_case ADD COLUMN x int") == "42501"


@pytest.mark.parametrize("table", list(TAMPER))
def test_the_application_role_cannot_rewrite_delete_truncate_or_unprotect(app_role, world, table):
    _, ids = world
    before = snapshot(table)
    triggers = triggers_enabled(table)
    assert {"portal_append_only", "portal_append_only_truncate"} <= set(triggers)
    with app_connection(app_role) as conn:
        # Reading and adding are what the application does.
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == len(before)
        assert refused(conn, TAMPER[table].format(id=ids[table])) in REFUSED
        assert refused(conn, f"DELETE FROM {table} WHERE id = {ids[table]}") in REFUSED
        assert refused(conn, f"TRUNCATE {table} CASCADE") in REFUSED
        assert refused(conn, f"ALTER TABLE {table} DISABLE TRIGGER ALL") == "42501"
        assert refused(conn, f"ALTER TABLE {table} DISABLE TRIGGER portal_append_only") == "42501"
        for name in triggers:
            assert refused(conn, f"DROP TRIGGER {name} ON {table}") == "42501"
    assert snapshot(table) == before
    assert triggers_enabled(table) == triggers


@pytest.mark.parametrize("table", list(TAMPER))
def test_a_grant_made_by_mistake_does_not_open_the_table_and_migrate_undoes_it(
    app_role, world, table
):
    _, ids = world
    role = connection.ops.quote_name(app_role["USER"])
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT ALL ON {table} TO {role}")
    before = snapshot(table)
    with app_connection(app_role) as conn:
        # The privileges would allow it now: the triggers refuse.
        assert refused(conn, TAMPER[table].format(id=ids[table])) == "23001"
        assert refused(conn, f"DELETE FROM {table} WHERE id = {ids[table]}") == "23001"
        assert refused(conn, f"TRUNCATE {table} CASCADE") in REFUSED
        assert refused(conn, f"ALTER TABLE {table} DISABLE TRIGGER ALL") == "42501"
    assert snapshot(table) == before

    call_command("migrate", verbosity=0)  # nothing to apply: post_migrate re-applies the roles

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege(%s, %s, 'UPDATE'), has_table_privilege(%s, %s, 'DELETE'),"
            " has_table_privilege(%s, %s, 'TRUNCATE'), has_table_privilege(%s, %s, 'INSERT')",
            [app_role["USER"], table] * 4,
        )
        assert cursor.fetchone() == (False, False, False, True)


def test_columns_filled_in_after_the_insert_are_written_once(app_role, world):
    _, ids = world
    with app_connection(app_role) as conn:
        # A payment is reversed once.
        payment = ids["cases_payment"]
        conn.execute(
            "UPDATE cases_payment SET reversed_at = now(), reversal_reason = 'bounced' "
            f"WHERE id = {payment}"
        )
        assert (
            refused(
                conn, f"UPDATE cases_payment SET reversal_reason = 'other' WHERE id = {payment}"
            )
            == "23001"
        )
        assert (
            refused(conn, f"UPDATE cases_payment SET reversed_at = NULL WHERE id = {payment}")
            == "23001"
        )
        # An attempt is completed once, from pending.
        attempt = ids["delivery_deliveryattempt"]
        conn.execute(
            "UPDATE delivery_deliveryattempt SET outcome = 'accepted', finished_at = now(), "
            f"provider_message_id = 'm-1' WHERE id = {attempt}"
        )
        assert (
            refused(
                conn,
                f"UPDATE delivery_deliveryattempt SET outcome = 'transient' WHERE id = {attempt}",
            )
            == "23001"
        )
        # A notice's letter is stored once; its status may follow the delivery.
        notice = ids["notices_notice"]
        conn.execute(
            "UPDATE notices_notice SET pdf = 'notices/a.pdf', pdf_sha256 = 'aa', "
            f"rendered_at = now(), status = 'rendered' WHERE id = {notice}"
        )
        conn.execute(f"UPDATE notices_notice SET status = 'sent' WHERE id = {notice}")
        assert (
            refused(conn, f"UPDATE notices_notice SET pdf = 'notices/b.pdf' WHERE id = {notice}")
            == "23001"
        )
        assert (
            refused(conn, f"UPDATE notices_notice SET pdf_sha256 = 'bb' WHERE id = {notice}")
            == "23001"
        )
        row = conn.execute(
            f"SELECT pdf, pdf_sha256, status FROM notices_notice WHERE id = {notice}"
        ).fetchone()
    assert row == ("notices/a.pdf", "aa", "sent")


def test_the_portal_works_as_the_application_role(app_role, tenant_a, settings, tmp_path):
    """The services a case goes through (state changes, ledger, letters rendered and sent,
    payments and their reversal, a CPR reveal) run as the application role."""
    settings.MEDIA_ROOT = tmp_path / "media"
    creditor = tenant_a.creditor
    agent = MembershipFactory(creditor=creditor, role=Role.ADMIN).user
    with at(date(2025, 3, 5)):
        case = file_case(creditor, claim("K-1", "1000.00", DUE))
    with creditor_scope(creditor):
        email_address(case.debtor, "debtor@example.dk")
        ChannelPolicy.objects.create(creditor=creditor, kind=NoticeKind.REMINDER, channels="email")

    from notices.services import notice_render

    with django_as(app_role), creditor_scope(creditor):
        assert current_user() == app_role["USER"]
        with at(REMINDED):
            notice = lifecycle.case_send_reminder(case=case, on=REMINDED, actor=agent)
            notice = notice_render(notice=notice)
            assert deliver(notice).notice_status == NoticeStatus.SENT
        with at(PAID):
            payment = payment_register(
                case=case, amount=Decimal("300.00"), received_on=PAID, method=PaymentMethod.FIK
            )
            payment_reverse(payment=payment, reason="bounced", user=agent)
        shown = debtor_reveal_national_id(debtor=case.debtor, user=agent, reason="phone call")
        case.refresh_from_db()

    assert current_user() != app_role["USER"]
    with creditor_scope(creditor):
        notice.refresh_from_db()
        payment.refresh_from_db()
        assert case.state == CaseState.REMINDER
        assert notice.status == NoticeStatus.SENT and notice.pdf_sha256
        attempt = DeliveryAttempt.objects.get(delivery__notice=notice)
        assert attempt.outcome == AttemptOutcome.ACCEPTED
        assert payment.reversed_at is not None and payment.reversal_reason == "bounced"
        assert LedgerEntry.objects.filter(case=case, kind="reversal").exists()
        assert NationalIdReveal.objects.filter(debtor=case.debtor, user=agent).count() == 1
        codes = set(case.events.values_list("code", flat=True))
        assert {"case.reminder_sent", "payment.reversed", "notice.delivered"} <= codes
    assert shown.replace("-", "") == case.debtor.national_id


def test_the_owner_still_may_change_and_truncate_but_not_the_ledger(app_role, world):
    _, ids = world
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_caseevent SET message = 'maintenance' WHERE id = %s",
            [ids["cases_caseevent"]],
        )
        cursor.execute("TRUNCATE debtors_nationalidreveal")
        cursor.execute("SELECT count(*) FROM debtors_nationalidreveal")
        assert cursor.fetchone()[0] == 0
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_ledgerentry SET amount = amount + 1 WHERE id = %s",
            [ids["cases_ledgerentry"]],
        )


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_migrate_connects_as_the_owner_while_the_application_uses_its_role(app_role):
    db = connection.settings_dict
    server = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    app_url = f"postgres://{app_role['USER']}:{app_role['PASSWORD']}@{server}/{db['NAME']}"
    owner_url = f"postgres://{db['USER']}:{db['PASSWORD']}@{server}/ignored"
    role = connection.ops.quote_name(app_role["USER"])
    with connection.cursor() as cursor:
        cursor.execute(f"REVOKE SELECT ON cases_case FROM {role}")

    result = run_manage(
        "migrate", "--no-input", env={"DATABASE_URL": app_url, "DATABASE_OWNER_URL": owner_url}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege(%s, 'cases_case', 'SELECT')", [app_role["USER"]])
        assert cursor.fetchone()[0] is True

    # Without the owner's URL, migrate runs as the application role: refused.
    result = run_manage("migrate", "--no-input", env={"DATABASE_URL": app_url})
    assert result.returncode != 0
    assert "permission denied" in result.stderr


def test_the_default_roles_and_one_role_when_only_database_url_is_given():
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['USER'], s.DATABASE_OWNER['USER'], s.DATABASE_APP_ROLE)"
    )
    defaults = run_manage("shell", "-v", "0", "-c", code, env={})
    assert defaults.stdout.split() == ["inkasso_app", "inkasso", "inkasso_app"], defaults.stderr
    given = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        code,
        env={"DATABASE_URL": "postgres://ops:pw@db.example:5432/inkasso"},
    )
    assert given.stdout.split() == ["ops", "ops", "ops"], given.stderr


def test_docker_compose_runs_the_application_as_its_role_and_migrates_as_the_owner():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    postgres = services["postgres"]["environment"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        app = dj_database_url.parse(env["DATABASE_URL"])
        owner = dj_database_url.parse(env["DATABASE_OWNER_URL"])
        assert owner["USER"] == postgres["POSTGRES_USER"] != app["USER"]
    init = next(v for v in services["postgres"]["volumes"] if "docker-entrypoint-initdb.d" in v)
    sql = (ROOT / init.split(":")[0]).read_text()
    assert f"CREATE ROLE {app['USER']} LOGIN PASSWORD '{app['PASSWORD']}'" in sql
    # Neither scripts/run nor the Procfile names another database URL: the default, the app's.
    assert "DATABASE_URL" not in (ROOT / "Procfile").read_text()
    assert "DATABASE_URL=" not in (ROOT / "scripts" / "run").read_text()
