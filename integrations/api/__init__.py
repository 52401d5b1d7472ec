"""The REST API v1 (DRF): authentication by API key, the tenant scope, errors in one shape."""
