"""API-key authentication: ``Authorization: Bearer ink_<prefix>_<secret>``."""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework import authentication, exceptions

from creditors.models import ApiKey
from creditors.services import api_key_authenticate


@dataclass(frozen=True)
class ApiClient:
    """The ``request.user`` of a request made with an API key: the key's creditor, no person."""

    key: ApiKey

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    @property
    def pk(self) -> None:
        return None

    @property
    def creditor(self):
        return self.key.creditor

    def __str__(self) -> str:
        return f"API key {self.key.prefix} ({self.key.creditor})"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates a creditor's API key. The view then runs in that creditor's scope."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("The Authorization header must be: Bearer <key>")
        try:
            raw = header[1].decode()
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("The API key is not valid.") from exc
        key = api_key_authenticate(raw)
        if key is None:
            raise exceptions.AuthenticationFailed("The API key is not valid or has been revoked.")
        return ApiClient(key), key

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return f'{self.keyword} realm="api"'
