"""When the public catalogue's pages change: every write that changes what the catalogue, an
instrument's page or the catalogue API show moves the "catalogue" page-cache version on.

Services and bulk writes call ``catalogue_changed()`` themselves; the signal receivers below are
a safety net for writes that go round the services (the admin's forms, the shell). The apps above
(bookings: holds, which change free-between and availability) call ``catalogue_changed()`` too.
Data migrations rewrite rows without signals (search documents, addresses), so a ``migrate`` that
applies or reverses any migration moves the version on as well.
"""

from django.db.models.signals import post_delete, post_migrate, post_save

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


def _migrated(sender, plan=None, using="default", **kwargs):
    if plan:  # something was applied or reversed; an up-to-date database changed nothing
        pagecache.namespace_changed(CATALOGUE, using=using)


def connect_migrations(app_config) -> None:
    """Every ``migrate`` that runs a migration changes the catalogue's pages (once per command)."""
    post_migrate.connect(_migrated, sender=app_config, dispatch_uid="catalogue-pages-migrate")
