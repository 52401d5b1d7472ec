"""The timeline's and the ledger's words in the reader's language: an event code's title (from
the one list in ``cases.timeline``), who did it, a state's name, and a stored reason or
explanation rendered in the page's language (collections_portal.texts)."""

from django import template
from django.utils.translation import gettext_lazy

from cases.models import CaseState
from cases.timeline import event_title as _event_title
from collections_portal.texts import render_stored

register = template.Library()

# The names the steps write for the systems that act on their own.
SYSTEM_ACTORS = {
    "": gettext_lazy("System"),
    "system": gettext_lazy("System"),
    "scheduler": gettext_lazy("Scheduler"),
    "letters": gettext_lazy("Letters"),
    "repair_collection_costs": gettext_lazy("Correction of collection costs"),
    "credit bureau": gettext_lazy("Credit bureau"),
    "credit-bureau sweep": gettext_lazy("Credit-bureau sweep"),
    "limitation watch": gettext_lazy("Limitation watch"),
    "sms gateway": gettext_lazy("SMS gateway"),
}


@register.filter
def event_title(code: str) -> str:
    return _event_title(code)


@register.filter
def event_actor(event) -> str:
    """A person's name (their full name, else their user name), or the system's in words."""
    if event.actor_id and event.actor is not None:
        return event.actor.get_full_name() or event.actor.get_username()
    label = event.actor_label or ""
    if label in SYSTEM_ACTORS:
        return str(SYSTEM_ACTORS[label])
    return label


@register.filter
def state_label(state: str) -> str:
    try:
        return str(CaseState(state).label)
    except ValueError:
        return state


@register.filter
def event_message(event) -> str:
    return render_stored(event.message_text, event.message)


@register.filter
def entry_explanation(entry) -> str:
    return render_stored(entry.explanation_text, entry.explanation)


@register.filter
def figure_text(figure) -> str:
    """A rules figure's explanation in the page's language (its English words if it has no
    stored text)."""
    text = getattr(figure, "text", None)
    return text.render() if text is not None else figure.explanation
