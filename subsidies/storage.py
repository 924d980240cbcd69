"""Where evidence files live: a private folder, never served under MEDIA_URL; a view checks who asks."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def evidence_storage():
    """A callable, so the setting is read when a file is stored, not when models are imported."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)
