"""The portal's own 403, 404 and 500 pages: in the portal's frame, in the reader's language.

Django's defaults are bare English pages without the menu. A 500 may come from the database
or anything else being down, so its page is rendered with as little as possible, and falls
back to a page with no template at all when even that fails.
"""

from __future__ import annotations

import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)


def _page(request, status: int, title: str, text: str):
    return render(
        request,
        "portal/error.html",
        {"status": status, "error_title": title, "error_text": text},
        status=status,
    )


@requires_csrf_token
def permission_denied(request, exception=None):
    return _page(
        request,
        403,
        _("You may not open this page"),
        _("Your role does not allow this. Ask an owner or administrator at your company."),
    )


@requires_csrf_token
def page_not_found(request, exception=None):
    return _page(
        request,
        404,
        _("The page was not found"),
        _(
            "The address may be mistyped, or the page belongs to another creditor than the "
            "one you are working for."
        ),
    )


@requires_csrf_token
def server_error(request):
    try:
        return _page(
            request,
            500,
            _("Something went wrong on our side"),
            _("The error has been recorded. Try again in a moment."),
        )
    except Exception:  # the frame itself failed (the database down): a page without it
        logger.exception("the 500 page could not be rendered in the portal's frame")
        return HttpResponseServerError(
            "<!doctype html><html lang='da'><meta charset='utf-8'><title>500</title>"
            "<h1>Der opstod en fejl / Something went wrong</h1>"
            "<p>Prøv igen om lidt. / Try again in a moment.</p></html>"
        )
