"""SMS through an HTTP gateway: a JSON POST with a bearer token."""
