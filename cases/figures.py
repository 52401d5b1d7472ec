"""Checking and rebuilding the stored case figures (``cases.models.CaseFigures``).

The database's triggers keep the figures (migration ``0018_case_figures``); these functions
recompute them from the claims, the ledger and the timeline, to prove they agree
(``manage.py case_figures --check``) or to set them right after a restore or a repair that
bypassed the triggers (``--rebuild``). Both work on every creditor's cases at once and are
for the database's owner, not for a request: they run outside any tenant scope.
"""

from __future__ import annotations

from django.db import connection, transaction

# Every case's figures as its rows say they are: the stored table's columns, in its order.
# Migration 0018's BACKFILL is the same query as it stood then; a migration keeps its own copy
# (it must run the same way after this one changes).
RECOMPUTED = """
SELECT c.id AS case_id, c.creditor_id,
    COALESCE(cl.principal, 0) AS original_principal, cl.oldest_due,
    COALESCE(l.principal, 0) AS principal, COALESCE(l.interest, 0) AS interest,
    COALESCE(l.costs, 0) AS costs, COALESCE(l.credit, 0) AS credit,
    GREATEST(c.created_at, COALESCE(e.latest, c.created_at)) AS last_activity_at,
    c.state, c.currency, c.created_at AS handed_over_at, c.paused_until
FROM cases_case c
LEFT JOIN (
    SELECT case_id, SUM(principal) AS principal, MIN(due_date) AS oldest_due
    FROM cases_claim GROUP BY case_id
) cl ON cl.case_id = c.id
LEFT JOIN (
    SELECT case_id,
        SUM(amount) FILTER (WHERE component = 'principal') AS principal,
        SUM(amount) FILTER (WHERE component = 'interest') AS interest,
        SUM(amount) FILTER (WHERE component = 'costs') AS costs,
        -SUM(amount) FILTER (WHERE component = 'credit') AS credit
    FROM cases_ledgerentry GROUP BY case_id
) l ON l.case_id = c.id
LEFT JOIN (
    SELECT case_id, MAX(occurred_at) AS latest FROM cases_caseevent GROUP BY case_id
) e ON e.case_id = c.id
"""
COLUMNS = (
    "case_id, creditor_id, original_principal, oldest_due, principal, interest, costs, "
    "credit, last_activity_at, state, currency, handed_over_at, paused_until"
)


def figures_differing(limit: int = 20) -> tuple[int, list[int]]:
    """How many cases' stored figures differ from their rows (a case without a row counts),
    and the first ``limit`` of those cases' ids."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH wrong AS (
                (SELECT {COLUMNS} FROM ({RECOMPUTED}) r
                 EXCEPT SELECT {COLUMNS} FROM cases_casefigures)
                UNION
                (SELECT {COLUMNS} FROM cases_casefigures
                 EXCEPT SELECT {COLUMNS} FROM ({RECOMPUTED}) r)
            )
            SELECT COUNT(DISTINCT case_id),
                (SELECT array_agg(id) FROM (
                    SELECT DISTINCT case_id AS id FROM wrong ORDER BY 1 LIMIT %s) f)
            FROM wrong
            """,  # noqa: S608 - its parts are this module's constants, never input
            [limit],
        )
        count, ids = cursor.fetchone()
    return count, list(ids or [])


def figures_rebuild() -> int:
    """Recompute every case's figures from its rows; returns how many rows were set right."""
    with transaction.atomic(), connection.cursor() as cursor:
        # The figures of cases being changed right now wait for their transactions.
        cursor.execute("LOCK TABLE cases_casefigures IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            f"""
            WITH wrong AS (
                SELECT {COLUMNS} FROM ({RECOMPUTED}) r
                EXCEPT SELECT {COLUMNS} FROM cases_casefigures
            )
            INSERT INTO cases_casefigures ({COLUMNS}) SELECT {COLUMNS} FROM wrong
            ON CONFLICT (case_id) DO UPDATE SET
                original_principal = EXCLUDED.original_principal,
                oldest_due = EXCLUDED.oldest_due,
                principal = EXCLUDED.principal,
                interest = EXCLUDED.interest,
                costs = EXCLUDED.costs,
                credit = EXCLUDED.credit,
                last_activity_at = EXCLUDED.last_activity_at,
                state = EXCLUDED.state,
                currency = EXCLUDED.currency,
                handed_over_at = EXCLUDED.handed_over_at,
                paused_until = EXCLUDED.paused_until
            """  # noqa: S608 - its parts are this module's constants, never input
        )
        return cursor.rowcount
