"""Memberships: join requests, roles, removal."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.transitions import transition

from ..exceptions import DomainError, InvalidTransition, PermissionDenied
from ..messages import Named
from ..models import Membership, Unit
from ..permissions import can_manage_people
from .notifications import notification_send

User = get_user_model()


@transaction.atomic
def membership_request(*, user, unit: Unit) -> Membership:
    """Ask to join a unit (again, after a refusal); its administrators accept or decline."""
    if not user.is_authenticated:
        raise PermissionDenied
    if unit.status != Unit.Status.APPROVED:
        raise DomainError(_("Only approved units accept new members."))
    existing = Membership.objects.select_for_update().filter(user=user, unit=unit).first()
    if existing and existing.status != Membership.Status.DECLINED:
        raise DomainError(_("You already belong to this unit or have asked to join it."))
    if existing:
        transition(existing, to=Membership.Status.PENDING, actor=user, role=Membership.Role.MEMBER)
        membership = existing
    else:
        membership = Membership.objects.create(user=user, unit=unit)
    admins = User.objects.filter(
        memberships__unit=unit, memberships__role=Membership.Role.ADMIN, memberships__status=Membership.Status.ACTIVE
    )
    notification_send(
        recipients=admins,
        subject=gettext_lazy("%(name)s asks to join %(unit)s"),
        body=gettext_lazy("%(name)s (%(email)s) asks to join your unit. Accept or decline on the people page."),
        params={"name": user.name, "unit": Named.of(unit), "email": user.email},
        url=f"/units/{unit.pk}/people/",
    )
    return membership


def _membership_for_admin(*, actor, membership: Membership) -> Membership:
    locked = Membership.objects.select_for_update().select_related("unit", "user").get(pk=membership.pk)
    if not can_manage_people(actor, locked.unit):
        raise PermissionDenied
    return locked


@transaction.atomic
def membership_accept(*, actor, membership: Membership, role: str = Membership.Role.MEMBER) -> Membership:
    """Accept a join request with the given role."""
    m = _membership_for_admin(actor=actor, membership=membership)
    transition(m, to=Membership.Status.ACTIVE, actor=actor, role=Membership.Role(role))
    notification_send(
        recipients=[m.user],
        subject=gettext_lazy("You have joined %(unit)s"),
        body=gettext_lazy("Your request to join %(unit)s was accepted; your role is %(role)s."),
        params={"unit": Named.of(m.unit), "role": Membership.Role(m.role).label},
        url=m.unit.get_absolute_url(),
    )
    return m


@transaction.atomic
def membership_decline(*, actor, membership: Membership) -> Membership:
    """Decline a join request."""
    m = _membership_for_admin(actor=actor, membership=membership)
    transition(m, to=Membership.Status.DECLINED, actor=actor)
    notification_send(
        recipients=[m.user],
        subject=gettext_lazy("Your request to join %(unit)s was declined"),
        body=gettext_lazy("The administrators of %(unit)s declined your request."),
        params={"unit": Named.of(m.unit)},
    )
    return m


def _ensure_another_admin(m: Membership) -> None:
    others = (
        Membership.objects.active().select_for_update().filter(unit=m.unit, role=Membership.Role.ADMIN).exclude(pk=m.pk)
    )
    if not others.exists():
        raise DomainError(_("A unit needs at least one administrator: appoint another one first."))


@transaction.atomic
def membership_set_role(*, actor, membership: Membership, role: str) -> Membership:
    """Change an active member's role; the last administrator cannot be demoted."""
    m = _membership_for_admin(actor=actor, membership=membership)
    if m.status != Membership.Status.ACTIVE:
        raise InvalidTransition(_("Only an active member's role can be changed."))
    role = Membership.Role(role)
    if m.role == Membership.Role.ADMIN and role != Membership.Role.ADMIN:
        _ensure_another_admin(m)
    m.role = role
    m._history_user = actor
    m.save()
    return m


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    """Remove a person from the unit; the last administrator cannot be removed."""
    m = _membership_for_admin(actor=actor, membership=membership)
    if m.status == Membership.Status.ACTIVE and m.role == Membership.Role.ADMIN:
        _ensure_another_admin(m)
    m._history_user = actor
    m.delete()
