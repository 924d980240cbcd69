"""Helpers of the catalogue tests: the seeded classification, instruments by class code, and the
demo catalogue loaded once per test module (rolled back at the end of the module)."""

import contextlib

from django.db import transaction
from django.utils import translation

from instruments.classification import CLASSIFICATION
from instruments.models import Category
from tests.instruments.factories import InstrumentFactory


def ensure_classification() -> dict[str, Category]:
    """The seeded classes, recreated if a transactional test flushed them; by code."""
    for code, name, name_en, children in CLASSIFICATION:
        parent, _ = Category.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
        for child_code, child_name, child_en in children:
            Category.objects.get_or_create(
                code=child_code, defaults={"name": child_name, "name_en": child_en, "parent": parent}
            )
    return {c.code: c for c in Category.objects.all()}


def instrument(code: str = "0101", **fields):
    """An instrument of the class with this code (the seeded classification is used)."""
    return InstrumentFactory(category=Category.objects.get(code=code), **fields)


def load_demo():
    """Both demo seeders, in the order ``manage.py seed_demo`` runs them."""
    from instruments.demo import seed as instruments_seed
    from members.demo import seed as members_seed

    ensure_classification()
    members_seed()
    return instruments_seed()


@contextlib.contextmanager
def demo_catalogue(django_db_blocker):
    """The demo catalogue inside a transaction that is rolled back afterwards; tests running
    inside it use savepoints, so every test of a module shares one load."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def english(client, url, **params) -> str:
    """A page as an English reader gets it. The language the request activates is put back
    afterwards, so later tests in this thread still run in the default language."""
    with translation.override(translation.get_language()):
        return client.get(url, params, HTTP_ACCEPT_LANGUAGE="en").content.decode()
