"""Who may do what, in one place: every door asks these functions, never checks roles itself."""

from django.contrib.auth.models import AnonymousUser

from .models import Membership, Unit
from .roles import BUREAU_GROUP


def is_bureau_staff(user) -> bool:
    """Bureau officers: superusers and active staff in the bureau group."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not user.is_staff:
        return False
    cache = getattr(user, "_bureau_cache", None)
    if cache is None:
        cache = user.groups.filter(name=BUREAU_GROUP).exists()
        user._bureau_cache = cache
    return cache


def unit_role(user, unit: Unit) -> str | None:
    """The user's active role in the unit, or None."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    cache = user.__dict__.setdefault("_unit_roles", {})
    if unit.pk not in cache:
        cache[unit.pk] = Membership.objects.active().filter(user=user, unit=unit).values_list("role", flat=True).first()
    return cache[unit.pk]


def prime_unit_roles(user, memberships) -> None:
    """Fill the role caches from memberships already loaded by ``membership_list_for_user`` (which
    annotates ``is_managing``), so asking about each of them costs no further query."""
    roles = user.__dict__.setdefault("_unit_roles", {})
    managed = user.__dict__.setdefault("_managed_units", {})
    for m in memberships:
        roles[m.unit_id] = m.role if m.status == Membership.Status.ACTIVE else None
        managed[m.unit_id] = bool(m.is_managing)


def can_view_unit(user, unit: Unit) -> bool:
    """Approved units are public; others only to their own people and the bureau."""
    return unit.is_approved or unit_role(user, unit) is not None or is_bureau_staff(user)


def can_manage_unit(user, unit: Unit) -> bool:
    """Edit the unit's profile: its administrators (even while the unit is pending)."""
    return unit.status != Unit.Status.SUSPENDED and unit_role(user, unit) == Membership.Role.ADMIN


def can_manage_people(user, unit: Unit) -> bool:
    """Accept join requests, change roles, remove people: the unit's administrators."""
    return unit.status != Unit.Status.SUSPENDED and unit_role(user, unit) == Membership.Role.ADMIN


def is_unit_manager(user, unit: Unit) -> bool:
    """Manage the unit's equipment, its reservations and its service records: the people of
    ``Membership.objects.managing()`` (cached per request)."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return False
    cache = user.__dict__.setdefault("_managed_units", {})
    if unit.pk not in cache:
        cache[unit.pk] = Membership.objects.managing().filter(user=user, unit=unit).exists()
    return cache[unit.pk]


def can_book_for_unit(user, unit: Unit) -> bool:
    """Book time on behalf of the unit: any active member of an approved unit."""
    return unit.is_approved and unit_role(user, unit) is not None


def can_decide_unit(user) -> bool:
    """Approve, reject or suspend units: bureau staff holding the decide permission."""
    return is_bureau_staff(user) and user.has_perm("members.decide_unit")
