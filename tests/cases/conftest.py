"""Fixtures of the cases tests."""

import pytest
from django.utils import translation


@pytest.fixture
def english():
    """The test reads the words people are shown in English: a refusal (``CaseError``) is
    said in the active language, and with none active that is the site's (Danish)."""
    with translation.override("en"):
        yield
