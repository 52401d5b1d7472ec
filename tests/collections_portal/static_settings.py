"""The portal's settings with only the static files its pages use (the project's own,
Pico's one stylesheet and htmx's script, copied by the test to STATIC_TEST_PICO_DIR and
STATIC_TEST_HTMX_DIR), so a test can run scripts/setup's collectstatic command in seconds
instead of minutes."""

import os

from collections_portal.settings import *  # noqa: F403
from collections_portal.settings import BASE_DIR

STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/pico", os.environ["STATIC_TEST_PICO_DIR"]),
    ("vendor/htmx", os.environ["STATIC_TEST_HTMX_DIR"]),
]
