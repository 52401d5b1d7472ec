"""OpenAPI details drf-spectacular cannot guess: the API-key scheme and the Idempotency-Key."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from .idempotency import HEADER, MAX_KEY_LENGTH, REPLAY_HEADER

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type={"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        f"Makes the POST safe to retry. The same key with the same request replays the first "
        f"successful response (marked `{REPLAY_HEADER}: true`); the same key with a different "
        "request is refused with 422; an error response is not kept, so a corrected retry may "
        f"reuse the key. Up to {MAX_KEY_LENGTH} characters, per client, kept for 24 hours."
    ),
)


class ApiAutoSchema(AutoSchema):
    """Every POST documents the Idempotency-Key header (the middleware applies it to all)."""

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "POST":
            parameters.append(IDEMPOTENCY_PARAMETER)
        return parameters


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "ink_<prefix>_<secret>",
            "description": "A creditor's API key, created in the admin and shown once.",
        }
