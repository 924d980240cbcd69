"""When the public catalogue's pages change: every write that changes what the catalogue, an
instrument's page or the catalogue API show moves the "catalogue" page-cache version on.

Services and bulk writes call ``catalogue_changed()`` themselves; the signal receivers below are
a safety net for writes that go round the services (the admin's forms, the shell). The apps above
(bookings: holds, which change free-between and availability) call ``catalogue_changed()`` too.
"""

from django.db.models.signals import post_delete, post_save

from core import pagecache

CATALOGUE = "catalogue"


def catalogue_changed() -> None:
    """The catalogue's cached pages are out of date (now, and again after the commit)."""
    pagecache.namespace_changed(CATALOGUE)


def _changed(sender, **kwargs):
    catalogue_changed()


def connect_signals(*models) -> None:
    """Every save and delete of ``models`` changes the catalogue's pages."""
    for model in models:
        uid = f"catalogue-pages-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
