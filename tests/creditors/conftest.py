import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_signin_limits():
    """The password-reset limits live in Redis, across test runs: each test starts without."""

    def clear():
        client = cache._cache.get_client(write=True)
        for key in client.scan_iter(match=cache.make_key("signin:*")):
            client.delete(key)

    clear()
    yield
    clear()
