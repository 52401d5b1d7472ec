"""Where to land after switching creditor or language: the nearest page that exists.

The switchers post the page the user was on as ``next``. Sent back there blindly, a user who
switched creditor on a case of the old creditor got a 404 (the case is not the new one's), and
one who switched on the answer to a form (an API key revoked, its URL POST-only) got a 405.
:func:`nearest_page` walks up from ``next`` to the first page that answers a GET and, after a
creditor switch, names no object of the old creditor: ``/cases/42/letters/preview/`` becomes
``/cases/``; the home page when nothing else fits.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme

SAFE_METHODS = {"GET", "HEAD"}


def _allowed_methods(view) -> set[str] | None:
    """The methods a function view takes, read from Django's ``require_http_methods`` (and
    ``require_POST``/``require_safe``) anywhere in its decorator chain; None: unrestricted."""
    func = view
    seen = 0
    while func is not None and seen < 20:
        code = getattr(func, "__code__", None)
        closure = getattr(func, "__closure__", None)
        if code is not None and closure:
            cells = dict(zip(code.co_freevars, closure, strict=False))
            cell = cells.get("request_method_list")
            if cell is not None:
                return {m.upper() for m in cell.cell_contents}
        func = getattr(func, "__wrapped__", None)
        seen += 1
    view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
    if view_class is not None:
        names = getattr(view_class, "http_method_names", [])
        return {m.upper() for m in names if hasattr(view_class, m)}
    return None


def _page_for(path: str, *, objects_allowed: bool) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    if match.kwargs and not objects_allowed:
        return False
    methods = _allowed_methods(match.func)
    return methods is None or bool(methods & SAFE_METHODS)


def _ancestors(path: str):
    """``/a/b/c/`` -> ``/a/b/c/``, ``/a/b/``, ``/a/``."""
    parts = [p for p in path.split("/") if p]
    while parts:
        yield "/" + "/".join(parts) + "/"
        parts.pop()


def nearest_page(request: HttpRequest, next_url: str, *, creditor_changed: bool) -> str:
    """The page to send the user to after a switch: ``next_url`` when it is a page (a GET)
    the new choice can show, else the nearest page above it, else the home page."""
    home = reverse("home")
    if not next_url or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return home
    parts = urlsplit(next_url)
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    for candidate in _ancestors(path):
        if _page_for(candidate, objects_allowed=not creditor_changed):
            # The query (a list's filters) belongs to the page it was on, not to another.
            return candidate + query if candidate.rstrip("/") == path.rstrip("/") else candidate
    return home
