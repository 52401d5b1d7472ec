"""OpenAPI description of the API-key authentication, so the webhook views document it.

A fallback at low priority: if ``integrations.api`` registers its own extension for the same
class, that one wins.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"
    priority = -1

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "ink_<prefix>_<secret>",
            "description": "A creditor's API key: `Authorization: Bearer ink_...`.",
        }
