"""The title of a timeline event code, from the one list in ``cases.timeline``."""

from django import template

from cases.timeline import event_title as _event_title

register = template.Library()


@register.filter
def event_title(code: str) -> str:
    return _event_title(code)
