"""Bulk invoice imports: an upload becomes an import job that a Celery task processes."""
