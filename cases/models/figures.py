"""Each case's figures, kept by the database: what the case list sorts by and the dashboard adds.

A case's balance, original principal, oldest due date and last activity are sums, minima and
maxima over its ledger entries, claims and timeline. Computed per row (a correlated subquery)
they cost nothing on a page of 50, but sorting a creditor's 100,000 cases by balance, or adding
up its ledger for the dashboard, computed them for every case on every view (bench/portal.py).

``CaseFigures`` is one row per case with those figures, **kept by PostgreSQL triggers** in the
same statement that changes what they sum (migration ``0018_case_figures``): a new case gets
its row; every insert into the ledger adds to its components; a claim added, changed or removed
recomputes the case's original principal and oldest due date; every timeline event moves the
last activity on; a case's state, currency, handover time and pause are copied over whenever
the case is written, so the dashboard adds up this one table. The triggers are statement-level
with transition tables, so a ``COPY`` of 100,000 ledger entries (``cases.services.bulk``) is
one grouped ``UPDATE``, and no code path, an ORM save, a bulk insert or a raw ``COPY``, can
post without the figures following.

The application never writes these rows (``save`` refuses); ``manage.py case_figures
--check`` compares every row with the sums it stands for, and ``--rebuild`` recomputes them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from collections_portal.db import LocalMonth
from collections_portal.tenancy import TenantModel

from .cases import MONEY, Case, CaseState


class CaseFigures(TenantModel):
    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="figures"
    )
    # The sum of the claims' principal as handed over (before any payment or write-down).
    original_principal = models.DecimalField(_("original principal"), **MONEY, default=0)
    oldest_due = models.DateField(_("oldest due date"), null=True, blank=True)
    # The ledger's sums per component; ``credit`` is what is held for the debtor (positive).
    principal = models.DecimalField(_("principal"), **MONEY, default=0)
    interest = models.DecimalField(_("interest"), **MONEY, default=0)
    costs = models.DecimalField(_("costs"), **MONEY, default=0)
    credit = models.DecimalField(_("credit"), **MONEY, default=0)
    balance = models.GeneratedField(
        expression=F("principal") + F("interest") + F("costs"),
        output_field=models.DecimalField(**MONEY),
        db_persist=True,
        verbose_name=_("balance"),
    )
    # The handover or the latest timeline event, whichever is later.
    last_activity_at = models.DateTimeField(_("last activity"))
    # The case's own columns the dashboard groups and filters by, copied from the case (by
    # the same triggers, on every insert and update of a case), so its sums read one table.
    state = models.CharField(_("state"), max_length=20, choices=CaseState.choices)
    currency = models.CharField(_("currency"), max_length=3)
    handed_over_at = models.DateTimeField(_("handed over"))
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    # The calendar month of the handover in the portal's time zone, for the dashboard's
    # month series (a column of its own: PostgreSQL knows how few months there are).
    handed_over_month = models.GeneratedField(
        expression=LocalMonth("handed_over_at"),
        output_field=models.DateField(),
        db_persist=True,
        verbose_name=_("month of handover"),
    )

    class Meta:
        verbose_name = _("case figures")
        verbose_name_plural = _("case figures")
        indexes = [
            # The case list sorted by balance or by last activity, within a creditor.
            models.Index(fields=["creditor", "-balance", "-case"], name="case_figures_balance"),
            models.Index(
                fields=["creditor", "-last_activity_at", "-case"], name="case_figures_activity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.balance}"

    def save(self, *args, **kwargs):
        raise NotImplementedError("case figures are kept by the database's triggers")
