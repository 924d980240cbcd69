"""Writes to the classification the operator extends in the admin: a class renamed or moved
keeps its instruments' search documents in step."""

from django.db import transaction
from django.db.models import Q

from ..exceptions import PermissionDenied
from ..invalidation import catalogue_changed
from ..models import Category, Instrument
from ..search import search_documents_refresh

CATEGORY_FIELDS = ("code", "name", "name_en", "parent")
# What the search documents hold of a class (see instruments.search.category_names).
SEARCHED_FIELDS = ("name", "name_en", "parent_id")


@transaction.atomic
def category_update(*, actor, category: Category, fields: dict) -> Category:
    """Change a class's code, names or main class (``fields``: a subset of CATEGORY_FIELDS).

    When a name or the main class changes, the search documents of the class's instruments (and,
    for a main class, of its subclasses' instruments) are rebuilt in the same transaction, so
    the search finds them by their new class name at once. Needs the admin's change permission.
    """
    if not actor.has_perm("instruments.change_category"):
        raise PermissionDenied
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise TypeError(f"category_update() got unexpected fields: {sorted(unknown)}")
    locked = Category.objects.select_for_update().get(pk=category.pk)
    before = {name: getattr(locked, name) for name in SEARCHED_FIELDS}
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    if any(getattr(locked, name) != old for name, old in before.items()):
        instruments = Instrument.objects.filter(Q(category=locked) | Q(category__parent=locked))
        search_documents_refresh(instruments)
    catalogue_changed()  # the catalogue shows class names
    return locked
