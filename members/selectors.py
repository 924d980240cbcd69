"""Reads of units, memberships and notifications, with the one way in to each owned object."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from .models import Membership, Notification, Unit
from .permissions import can_manage_people, can_manage_unit, can_view_unit


def unit_list_public():
    """Approved units, the public directory."""
    return Unit.objects.approved().with_related()


JOIN_CHOICES = 20  # units a search on the join page offers without scripts


def units_to_join(*, words: str, unit_id=None, limit: int = JOIN_CHOICES) -> tuple[list[tuple[int, str]], bool]:
    """The approved units the join page offers, as (id, name) pairs: the one with ``unit_id``
    (a unit's profile links here with it) first, then those whose name or short name contains
    the words, by name, at most ``limit`` of them; and whether more match. At most one query
    each; nothing without words (a national registry's 10,000 units are never listed whole)."""
    offered = []
    if str(unit_id or "").isdigit() and len(str(unit_id)) < 11:
        offered = [(unit.pk, unit.display_name) for unit in _names(Unit.objects.approved().filter(pk=int(unit_id)))]
    if not words.strip():
        return offered, False
    found = Unit.objects.approved().named(words).exclude(pk__in=[pk for pk, _name in offered])
    found = [(unit.pk, unit.display_name) for unit in _names(found.order_by("name", "pk"))[: limit + 1]]
    return offered + found[:limit], len(found) > limit


def _names(units):
    """The units with only what naming them in the reader's language needs."""
    return list(units.only("pk", "name", "name_en"))


def unit_get_public(*, user, pk) -> Unit:
    """A unit's profile page: approved units for everyone, others only for their people and the
    bureau; the same 404 whether it is missing or hidden."""
    unit = Unit.objects.with_related().select_related("group").filter(pk=pk).first()
    if unit is None or not can_view_unit(user, unit):
        raise Http404
    return unit


def unit_get_for_admin(*, user, pk) -> Unit:
    """A unit the user administers; 404 alike for missing and not-yours."""
    unit = Unit.objects.with_related().filter(pk=pk).first()
    if unit is None or not can_manage_unit(user, unit):
        raise Http404
    return unit


def unit_get_for_people_admin(*, user, pk) -> Unit:
    """A unit whose people the user manages; 404 alike for missing and not-yours."""
    unit = Unit.objects.with_related().filter(pk=pk).first()
    if unit is None or not can_manage_people(user, unit):
        raise Http404
    return unit


# --- Related units (one actual controller) -----------------------------------------------------
# Only a membership the bureau has confirmed counts; a declared one waits. A confirmed flag whose
# group was deleted (``group`` SET_NULL) counts as no group. Each read costs at most one query.


def _unit_id(unit_or_id) -> int | None:
    return unit_or_id.pk if isinstance(unit_or_id, Unit) else unit_or_id


def related_unit_ids(unit_or_id) -> frozenset[int]:
    """Ids of the units in the unit's confirmed group, the unit itself included; just the unit's
    own id when it has no confirmed group. Read from the database (one query)."""
    unit_id = _unit_id(unit_or_id)
    if unit_id is None:
        return frozenset()
    own_group = Unit.objects.filter(pk=unit_id, group_confirmed=True, group__isnull=False).values("group_id")
    ids = Unit.objects.filter(Q(pk=unit_id) | Q(group_confirmed=True, group__in=own_group)).values_list("pk", flat=True)
    return frozenset(ids) | {unit_id}


def units_related(a_id: int | None, b_id: int | None) -> bool:
    """True when the two units are one, or are in the same confirmed group: a service between them
    is never subsidised. A missing (None) id is never related to anything."""
    if a_id is None or b_id is None:
        return False
    if a_id == b_id:
        return True
    return Unit.objects.filter(
        pk=a_id,
        group_confirmed=True,
        group__isnull=False,
        group__units__pk=b_id,
        group__units__group_confirmed=True,
    ).exists()


def cap_holder_key(unit) -> str:
    """Who a subsidy cap is counted for: ``"group:<id>"`` for a unit in a confirmed group, else
    ``"unit:<id>"``. Given a Unit it reads the instance's own fields (no query; load or lock it
    fresh first); given an id it reads the database (one query)."""
    if isinstance(unit, Unit):
        unit_id, group_id = unit.pk, unit.confirmed_group_id
    else:
        unit_id = unit
        group_id = Unit.objects.filter(pk=unit_id, group_confirmed=True).values_list("group_id", flat=True).first()
    return f"group:{group_id}" if group_id is not None else f"unit:{unit_id}"


def membership_get_for_admin(*, user, unit: Unit, pk) -> Membership:
    """A membership of a unit the user manages (the unit was already checked)."""
    membership = Membership.objects.select_related("user", "unit").filter(unit=unit, pk=pk).first()
    if membership is None:
        raise Http404
    return membership


def membership_list_for_unit(*, unit: Unit):
    return (
        Membership.objects.filter(unit=unit)
        .exclude(status=Membership.Status.DECLINED)
        .select_related("user")
        .order_by("status", "role", "user__name")
    )


def membership_list_for_user(*, user):
    """The user's units with their role and status, each annotated ``is_managing``."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("unit", "unit__district")
        .annotate(is_managing=Exists(Membership.objects.managing().filter(pk=OuterRef("pk"))))
        .order_by("unit__name")
    )


def unit_ids_managed_by(user):
    """Ids of the units whose equipment the user manages (a subquery)."""
    if not user.is_authenticated:
        return Unit.objects.none().values("pk")
    return Membership.objects.managing().filter(user=user).values("unit_id")


def units_managed_by(*, user):
    """Approved units whose equipment the user manages."""
    return Unit.objects.filter(pk__in=unit_ids_managed_by(user)).order_by("name")


def unit_managers(unit: Unit):
    """The active people who manage the unit (they receive its booking requests)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__in=Membership.objects.managing().filter(unit=unit))
        .distinct()
    )


def pending_requests_for_admin(*, user):
    """Join requests waiting for a unit this user administers."""
    admin_units = Membership.objects.active().filter(user=user, role=Membership.Role.ADMIN).values("unit")
    return (
        Membership.objects.pending().filter(unit__in=admin_units).select_related("user", "unit").order_by("created_at")
    )


def notification_list(*, user):
    return Notification.objects.filter(recipient=user)


def notification_unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
