"""Reads of units, memberships and notifications, with the one way in to each owned object."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.http import Http404

from .models import Membership, Notification, Unit
from .permissions import can_manage_people, can_manage_unit, can_view_unit


def unit_list_public():
    """Approved units, the public directory."""
    return Unit.objects.approved().with_related()


def unit_get_public(*, user, pk) -> Unit:
    """A unit's profile page: approved units for everyone, others only for their people and the
    bureau; the same 404 whether it is missing or hidden."""
    unit = Unit.objects.with_related().filter(pk=pk).first()
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
