"""An e-mail backend for browser tests: Django's file backend, writing to ``TEST_MAIL_DIR``.

Mail is sent by a Celery worker, a process of its own, so Django's in-memory outbox never sees
it; a test starts the worker with ``EMAIL_BACKEND=tests.e2e.mail_backend.EmailBackend`` and
``TEST_MAIL_DIR`` set, and reads the messages from that folder.
"""

import os

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class EmailBackend(FileBackend):
    def __init__(self, *args, **kwargs):
        kwargs["file_path"] = os.environ["TEST_MAIL_DIR"]
        super().__init__(*args, **kwargs)
