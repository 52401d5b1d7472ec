"""View decorators for the tenancy rules."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from creditors.selectors import user_is_agency_staff


def tenant_view(view):
    """Signed-in users acting for a creditor, or agency staff; anyone else gets a clear 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "creditor", None) is None and not user_is_agency_staff(request.user):
            return render(request, "portal/no_creditor.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper
