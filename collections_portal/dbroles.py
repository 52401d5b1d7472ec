"""The two database roles, and the records the application's role may never rewrite.

The **owner** (``DATABASE_OWNER_URL``; ``inkasso`` in development) owns the database and its
tables: it runs ``migrate`` and the test suite. The **application role** (``DATABASE_URL``;
``inkasso_app``) is what web, worker and beat connect as: it owns nothing, so it cannot
``TRUNCATE``, ``ALTER``, ``DROP`` or disable a trigger, and it is granted rows, not tables.

The append-only records (the ledger, the timeline, the CPR reveal log, payments, delivery
attempts and notices) are protected twice against that role:

- privileges: no ``UPDATE``, ``DELETE`` or ``TRUNCATE`` on their tables, except ``UPDATE`` of
  the few columns the application fills in after the insert (a payment's reversal, an attempt's
  outcome, a notice's rendering and status);
- triggers (``portal_append_only``): a ``DELETE`` or ``TRUNCATE`` by anyone but the owner is
  refused, and so is an ``UPDATE`` that touches any other column or rewrites a column that is
  written once. A grant made by mistake does not open them.

The owner passes the new triggers, because maintenance and the test suite's flush (a
``TRUNCATE`` of every table) run as the owner; the ledger's own trigger
(``cases_ledger_append_only``) refuses every role.

Everything here is applied by ``apply_roles`` after every ``migrate`` (``post_migrate``, see
``apps.py``), as the owner: tables that later migrations create get the grants too, and a
change to ``APPEND_ONLY`` takes effect with the next ``migrate``. It is idempotent.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import connections, transaction

logger = logging.getLogger(__name__)

# Connection settings taken from DATABASE_OWNER_URL when connecting as the owner. The database
# name stays the connection's own, so the test suite's owner connection opens the test database.
_OWNER_KEYS = ("USER", "PASSWORD", "HOST", "PORT")
_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$-]{0,62}$")


@dataclass(frozen=True)
class AppendOnly:
    """A model whose rows the application role only ever inserts (and reads).

    ``mutable`` names the columns the application fills in after the insert; with a condition
    (a JSON object the old row must contain) a column is written once: only while the row is
    still in that state.
    """

    model: str
    mutable: dict[str, dict | None] = field(default_factory=dict)


APPEND_ONLY: tuple[AppendOnly, ...] = (
    # Corrections are reversals (a new entry), never edits.
    AppendOnly("cases.LedgerEntry"),
    # The timeline: who did what, when, and why.
    AppendOnly("cases.CaseEvent"),
    # The agents' contacts with debtors, as logged.
    AppendOnly("cases.ContactLog"),
    # Each showing of a full CPR number, and each exact look-up by one (found or not).
    AppendOnly("debtors.NationalIdReveal"),
    AppendOnly("debtors.NationalIdLookup"),
    # A creditor's own audit log: its users, invitations and details, as changed.
    AppendOnly("creditors.CreditorEvent"),
    # A payment is reversed once (cases.services.payments.payment_reverse); nothing else changes.
    AppendOnly(
        "cases.Payment",
        mutable={
            "reversed_at": {"reversed_at": None},
            "reversal_reason": {"reversed_at": None},
        },
    ),
    # A bank entry's figures are the bank's and never change; only what became of it does
    # (an unmatched payment booked, marked for refund, or returned by the bank).
    AppendOnly(
        "bank.BankEntry",
        mutable={
            "status": None,
            "handled_by": None,
            "handled_at": None,
            "creditor": {"creditor_id": None},
        },
    ),
    # A booked payment's origin; settled once (by the settlement), never un-settled.
    AppendOnly(
        "bank.ReceivedPayment",
        mutable={
            "settled_at": {"settled_at": None},
            "settlement_reference": {"settled_at": None},
        },
    ),
    # A settlement and its lines are written once, in one transaction; a reconciliation
    # result is a record of what the books said.
    AppendOnly("bank.Settlement"),
    AppendOnly("bank.SettlementLine"),
    AppendOnly("bank.Reconciliation"),
    # An attempt is written before the provider is called and completed once after it.
    AppendOnly(
        "delivery.DeliveryAttempt",
        mutable={
            "outcome": {"outcome": "pending"},
            "provider_message_id": {"outcome": "pending"},
            "error": {"outcome": "pending"},
            "finished_at": {"outcome": "pending"},
        },
    ),
    # A credit-bureau attempt is written before the bureau is called and completed once.
    AppendOnly(
        "cases.CreditBureauAttempt",
        mutable={
            "outcome": {"outcome": "pending"},
            "bureau_reference": {"outcome": "pending"},
            "error": {"outcome": "pending"},
            "finished_at": {"outcome": "pending"},
        },
    ),
    # A message on a case never changes; each side's read mark is written once.
    AppendOnly(
        "cases.CaseMessage",
        mutable={
            "read_by_creditor_at": {"read_by_creditor_at": None},
            "read_by_agency_at": {"read_by_agency_at": None},
        },
    ),
    # A notification e-mail is recorded before it is sent and its outcome written once.
    AppendOnly(
        "cases.NotificationEmail",
        mutable={"status": {"status": "pending"}, "error": {"status": "pending"}},
    ),
    # A notice's letter is stored once (never rewritten); its status follows the delivery.
    AppendOnly(
        "notices.Notice",
        mutable={
            "status": None,
            "pdf": {"pdf": ""},
            "pdf_sha256": {"pdf": ""},
            "rendered_at": {"pdf": ""},
        },
    ),
)

TRIGGER_FUNCTION_SQL = r"""
CREATE OR REPLACE FUNCTION portal_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    -- {"column": null (may change) | {"col": value} (may change while the old row has it)}
    mutable jsonb := COALESCE(NULLIF(TG_ARGV[0], ''), '{}')::jsonb;
    old_row jsonb;
    new_row jsonb;
    changed text;
BEGIN
    -- The owner passes: migrations, maintenance and the test suite's flush run as the owner.
    IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER')
    THEN
        IF TG_LEVEL = 'STATEMENT' THEN
            RETURN NULL;
        ELSIF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        old_row := to_jsonb(OLD);
        new_row := to_jsonb(NEW);
        FOR changed IN
            SELECT n.key FROM jsonb_each(new_row) AS n
            WHERE n.value IS DISTINCT FROM old_row -> n.key
        LOOP
            IF NOT mutable ? changed THEN
                RAISE EXCEPTION '%.% is never changed: the rows of % are append-only',
                    TG_TABLE_NAME, changed, TG_TABLE_NAME
                    USING ERRCODE = 'restrict_violation';
            END IF;
            IF jsonb_typeof(mutable -> changed) = 'object'
               AND NOT old_row @> (mutable -> changed) THEN
                RAISE EXCEPTION '%.% is written once, and has been written', TG_TABLE_NAME, changed
                    USING ERRCODE = 'restrict_violation';
            END IF;
        END LOOP;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% on % refused: its rows are append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$
"""


def append_only_tables(cursor) -> list[tuple[str, dict[str, dict | None]]]:
    """(table, {column: condition}) for each append-only model, from the current models, as
    far as the database has them (a migration back in time may have removed a table or column)."""
    columns = {}
    cursor.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema()"
    )
    for table, column in cursor.fetchall():
        columns.setdefault(table, set()).add(column)
    tables = []
    for rule in APPEND_ONLY:
        model = apps.get_model(rule.model)
        table = model._meta.db_table
        if table not in columns:
            continue
        mutable = {
            model._meta.get_field(name).column: condition
            for name, condition in rule.mutable.items()
            if model._meta.get_field(name).column in columns[table]
        }
        tables.append((table, mutable))
    return tables


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _role_exists(cursor, role: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    return cursor.fetchone() is not None


def protect_append_only(using: str = "default") -> None:
    """Install the append-only triggers (as the owner of the tables; PostgreSQL 14 or newer,
    for CREATE OR REPLACE TRIGGER)."""
    connection = connections[using]
    qn = connection.ops.quote_name
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(TRIGGER_FUNCTION_SQL)
        for table, mutable in append_only_tables(cursor):
            spec = _quote_literal(json.dumps(mutable, sort_keys=True))
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER portal_append_only BEFORE UPDATE OR DELETE ON "
                f"{qn(table)} FOR EACH ROW EXECUTE FUNCTION portal_append_only({spec})"
            )
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER portal_append_only_truncate BEFORE TRUNCATE ON "
                f"{qn(table)} FOR EACH STATEMENT EXECUTE FUNCTION portal_append_only()"
            )


def grant_app_role(role: str, using: str = "default") -> bool:
    """Give the application role rows, not tables; False (and nothing done) if the role does
    not exist or is the role connected (one role for everything: nothing to grant)."""
    if not _ROLE_NAME.match(role):
        raise ValueError(f"Not a role name: {role!r}")
    connection = connections[using]
    qn = connection.ops.quote_name
    role_q = qn(role)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema(), current_database()")
        current, schema, database = cursor.fetchone()
        if role == current or not _role_exists(cursor, role):
            return False
        schema_q = qn(schema)
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
            "WHERE r.rolname = %s AND c.relnamespace = %s::regnamespace",
            [role, schema],
        )
        if owned := cursor.fetchone()[0]:
            logger.warning(
                "The application role %s owns %d objects in schema %s: it can change or drop "
                "them whatever it is granted. Make the owner own them (ALTER ... OWNER TO).",
                role,
                owned,
                schema,
            )
        statements = [
            f"GRANT CONNECT, TEMPORARY ON DATABASE {qn(database)} TO {role_q}",
            f"GRANT USAGE ON SCHEMA {schema_q} TO {role_q}",
            # PostgreSQL 15's default, for older servers: only the schema's owner creates in it
            # (a no-op with a warning when the owner of the tables does not own the schema).
            f"REVOKE CREATE ON SCHEMA {schema_q} FROM PUBLIC",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema_q} TO {role_q}",
            # The application never needs these on any table.
            f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema_q} "
            f"FROM {role_q}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema_q} TO {role_q}",
            # Tables that later migrations create are the application's too, before the next
            # apply_roles narrows them; this covers what the owner creates in this schema.
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema_q} "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role_q}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema_q} "
            f"GRANT USAGE, SELECT ON SEQUENCES TO {role_q}",
        ]
        for table, mutable in append_only_tables(cursor):
            # Revoking the table's UPDATE revokes its column grants too: start from none.
            statements.append(f"REVOKE UPDATE, DELETE ON {qn(table)} FROM {role_q}")
            if mutable:
                columns = ", ".join(qn(column) for column in sorted(mutable))
                statements.append(f"GRANT UPDATE ({columns}) ON {qn(table)} TO {role_q}")
        for statement in statements:
            cursor.execute(statement)
    return True


def apply_roles(using: str = "default", app_role: str | None = None) -> None:
    """Triggers, then the application role's grants (when that role exists)."""
    protect_append_only(using)
    role = app_role or settings.DATABASE_APP_ROLE
    if grant_app_role(role, using):
        logger.info("Database role %s: granted rows, append-only tables protected.", role)
    else:
        logger.info("Database role %s: not granted (absent, or the role connected).", role)


def owner_settings(current: dict) -> dict:
    """The connection settings ``current`` would have as the owner (DATABASE_OWNER_URL)."""
    owner = settings.DATABASE_OWNER
    changed = {key: owner[key] for key in _OWNER_KEYS if key in owner}
    if owner.get("OPTIONS"):
        changed["OPTIONS"] = {**current.get("OPTIONS", {}), **owner["OPTIONS"]}
    return changed


def use_owner(using: str = "default") -> dict:
    """Point the connection at the owner's credentials; returns what it replaced.

    The connection is closed first (unless nothing changes), so the next query logs in anew.
    """
    connection = connections[using]
    changed = owner_settings(connection.settings_dict)
    if all(connection.settings_dict.get(key) == value for key, value in changed.items()):
        return {}
    previous = {key: connection.settings_dict.get(key) for key in changed}
    connection.close()
    connection.settings_dict.update(changed)
    return previous


@contextmanager
def as_owner(using: str = "default") -> Iterator[None]:
    """Run the block on a connection as the owner, then as before (``migrate`` uses it)."""
    previous = use_owner(using)
    try:
        yield
    finally:
        if previous:
            connections[using].close()
            connections[using].settings_dict.update(previous)
