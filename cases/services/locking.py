from cases.models import Case


def lock_case(case: Case) -> Case:
    """Re-read the case with a row lock, so money on one case changes one step at a time."""
    return Case.objects.select_for_update().select_related("creditor", "debtor").get(pk=case.pk)
