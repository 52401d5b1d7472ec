"""Reads about cases, run inside the request's or task's tenant scope."""

from django.db.models import Count, QuerySet

from .models import Case


def case_list() -> QuerySet[Case]:
    """Cases visible in the active scope, with what a list shows."""
    return Case.objects.select_related("debtor", "creditor")


def case_counts() -> dict:
    """How many cases the active scope holds, in all and per creditor."""
    per_creditor = list(
        Case.objects.values("creditor__name").annotate(n=Count("pk")).order_by("creditor__name")
    )
    return {"total": sum(row["n"] for row in per_creditor), "per_creditor": per_creditor}
