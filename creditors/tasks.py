"""Celery tasks of the creditors app: thin, ids only."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Invitation


@shared_task(name="creditors.send_invitation", acks_late=True, max_retries=5)
def send_invitation(invitation_id: int, *, base_url: str) -> bool:
    """Mail the invitation's signed link to the invitee, in the creditor's language. An
    invitation no longer pending (accepted or withdrawn meanwhile) is not sent."""
    from .services import invitation_token

    # Invitation is not behind a tenant scope (see its docstring): no scope needed here.
    invitation = Invitation.objects.select_related("creditor", "invited_by").get(pk=invitation_id)
    if not invitation.is_pending:
        return False
    link = base_url.rstrip("/") + reverse(
        "invitation_accept", kwargs={"token": invitation_token(invitation)}
    )
    with translation.override(invitation.creditor.language):
        context = {"invitation": invitation, "link": link}
        subject = render_to_string("creditors/invitation_subject.txt", context).strip()
        body = render_to_string("creditors/invitation_email.txt", context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email]).send()
    return True
