"""Template context shared by every page: who acts for which creditor."""

from creditors.selectors import creditors_for_user, membership_for, user_is_agency_staff


def tenancy(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    creditor = getattr(request, "creditor", None)
    is_agency = user_is_agency_staff(user)
    return {
        "current_creditor": creditor,
        "available_creditors": creditors_for_user(user).only("pk", "name"),
        "is_agency_staff": is_agency,
        "current_membership": (
            membership_for(user, creditor) if creditor is not None and not is_agency else None
        ),
    }
