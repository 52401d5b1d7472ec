from cases.models import Case


def lock_case(case: Case) -> Case:
    """Re-read the case with a row lock, so money on one case changes one step at a time."""
    return Case.objects.select_for_update().select_related("creditor", "debtor").get(pk=case.pk)


def acting_user(user):
    """The user to record as the one who acted, or None for the system and anonymous users."""
    return user if user is not None and user.is_authenticated else None
