"""The Celery app: Redis broker, schedules from django-celery-beat, settings under CELERY_."""

import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collections_portal.settings")

app = Celery("collections_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class CreditorTask(Task):
    """Base for tasks that act for one creditor: the task runs inside that creditor's scope.

    Such tasks take ``creditor_id`` as a keyword argument (ids, never model instances), so the
    scope is entered here once and no task body can forget it.
    """

    abstract = True

    def __call__(self, *args, **kwargs):
        from collections_portal.tenancy import creditor_scope

        creditor_id = kwargs.get("creditor_id")
        if not isinstance(creditor_id, int):
            raise TypeError(f"{self.name} must be called with creditor_id=<int>")
        with creditor_scope(creditor_id):
            return super().__call__(*args, **kwargs)
