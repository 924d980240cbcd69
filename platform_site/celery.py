"""The Celery application: broker from REDIS_URL, eager in-process without it."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_site.settings")

app = Celery("platform_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def collect_beat_schedule(sender, **kwargs):
    """Every installed app's ``beat_schedule`` (platform_site/extensions.py). The app is finalized
    after Django is set up (``celery beat`` and ``worker`` load the apps first), before beat reads
    its schedule; a ``CELERY_BEAT_SCHEDULE`` setting still wins for a name it gives."""
    from .extensions import beat_schedule

    sender.conf.beat_schedule = {**beat_schedule(), **(sender.conf.beat_schedule or {})}
