"""Case pages for creditor users and agents (the list is in views_list.py; the actions on a
case, and the case page that shows them, in views_actions.py)."""

from .views_actions import case_detail  # noqa: F401 (the URLconf names it here)
