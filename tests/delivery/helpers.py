"""Small helpers shared by the delivery tests."""

from collections_portal.tenancy import creditor_scope
from debtors.models import ContactKind, ContactSource
from notices.delivery.models import ChannelPolicy, Delivery
from notices.delivery.services import notice_deliver
from tests.factories import ContactPointFactory


def deliver(notice):
    """Run the delivery service as the task does: inside the notice's creditor scope."""
    with creditor_scope(notice.creditor_id):
        return notice_deliver(notice=notice)


def email_address(debtor, value="debtor@example.dk"):
    return ContactPointFactory(
        creditor=debtor.creditor, debtor=debtor, kind=ContactKind.EMAIL, value=value,
        is_primary=True,
    )  # fmt: skip


def mobile_number(debtor, value="+4520123456", consent=True):
    return ContactPointFactory(
        creditor=debtor.creditor, debtor=debtor, kind=ContactKind.MOBILE, value=value,
        consent=consent, consent_source=ContactSource.DEBTOR_PORTAL if consent else "",
        is_primary=True,
    )  # fmt: skip


def policy(creditor, kind, channels):
    with creditor_scope(creditor):
        return ChannelPolicy.objects.create(creditor=creditor, kind=kind, channels=channels)


def deliveries(notice) -> dict[str, Delivery]:
    with creditor_scope(notice.creditor_id):
        return {d.channel: d for d in Delivery.objects.filter(notice=notice)}


def notice_events(notice) -> list:
    with creditor_scope(notice.creditor_id):
        return list(notice.case.events.filter(code__startswith="notice.").order_by("pk"))


def refreshed(obj):
    with creditor_scope(obj.creditor_id):
        obj.refresh_from_db()
    return obj
