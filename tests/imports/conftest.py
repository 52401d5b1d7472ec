import pytest


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(request, settings, tmp_path):
    """Uploads go to a temporary MEDIA_ROOT, except where a worker process (which reads the
    default MEDIA_ROOT) must find them."""
    if request.node.get_closest_marker("celery_worker") is None:
        settings.MEDIA_ROOT = tmp_path
