"""Member units: registration, profile edits and the bureau's decisions."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.addresses import strip_area_prefix
from core.transitions import transition

from ..exceptions import DomainError, PermissionDenied
from ..messages import Named
from ..models import Membership, Unit
from ..permissions import can_decide_unit, can_manage_unit
from .groups import unit_group_declare
from .notifications import notification_send

User = get_user_model()


UNIT_PROFILE_FIELDS = (
    "name",
    "name_en",
    "short_name",
    "credit_code",
    "unit_type",
    "scale",
    "is_high_tech",
    "district",
    "address",
    "contact_person",
    "phone",
    "email",
    "website",
    "description",
)


def _address_once(unit: Unit) -> None:
    """The address is the street part: a typed "包头市昆都仑区…" under district 昆都仑区 loses its
    leading city and district, which the profile shows from the district field."""
    if unit.address and unit.district_id:
        unit.address = (
            strip_area_prefix(unit.address, [settings.PLATFORM_CITY], district=unit.district.name) or unit.address
        )


@transaction.atomic
def unit_register(*, user, group_name: str = "", controller: str = "", **fields) -> Unit:
    """Register a new member unit; it waits for the bureau, and the registrant becomes its admin.

    Given a ``group_name`` and its ``controller``, the unit also declares its group of related
    units (``unit_group_declare``); both or neither."""
    if not user.is_authenticated:
        raise PermissionDenied
    unknown = set(fields) - set(UNIT_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unit_register() got unexpected fields: {sorted(unknown)}")
    declares_group = bool(group_name.strip()) or bool(controller.strip())
    fields["credit_code"] = fields["credit_code"].strip().upper()
    unit = Unit(**fields, status=Unit.Status.PENDING)
    unit._change_reason = "registered"
    _address_once(unit)
    unit.full_clean()
    unit.save()
    Membership.objects.create(user=user, unit=unit, role=Membership.Role.ADMIN, status=Membership.Status.ACTIVE)
    if declares_group:
        unit = unit_group_declare(actor=user, unit=unit, group_name=group_name, controller=controller)
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, **fields) -> Unit:
    """Edit a unit's profile. The credit code is fixed once the bureau has approved the unit."""
    if not can_manage_unit(actor, unit):
        raise PermissionDenied
    unknown = set(fields) - set(UNIT_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unit_update() got unexpected fields: {sorted(unknown)}")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if "credit_code" in fields:
        fields["credit_code"] = fields["credit_code"].strip().upper()
        if unit.status != Unit.Status.PENDING and fields["credit_code"] != unit.credit_code:
            raise DomainError(_("The credit code of a reviewed unit cannot be changed; ask the bureau."))
    for name, value in fields.items():
        setattr(unit, name, value)
    _address_once(unit)
    unit.full_clean()
    unit.save()
    return unit


def _unit_transition(*, actor, unit: Unit, to: str, reason: str = "") -> Unit:
    """The bureau's decision on a unit, through the one transition helper; the admins are told."""
    if not can_decide_unit(actor):
        raise PermissionDenied
    locked = Unit.objects.select_for_update().get(pk=unit.pk)
    transition(
        locked,
        to=to,
        actor=actor,
        reason=reason,
        decision_reason=reason,
        decided_at=timezone.now(),
        decided_by=actor,
    )
    _notify_unit_decision(locked)
    return locked


def _notify_unit_decision(unit: Unit) -> None:
    admins = User.objects.filter(
        memberships__unit=unit,
        memberships__role=Membership.Role.ADMIN,
        memberships__status=Membership.Status.ACTIVE,
    )
    if unit.decision_reason:
        body = gettext_lazy("Your member unit “%(unit)s” is now %(status)s. Reason: %(reason)s")
    else:
        body = gettext_lazy("Your member unit “%(unit)s” is now %(status)s.")
    notification_send(
        recipients=admins,
        subject=gettext_lazy("Your member unit “%(unit)s” is now %(status)s"),
        body=body,
        params={"unit": Named.of(unit), "status": Unit.Status(unit.status).label, "reason": unit.decision_reason},
        url=unit.get_absolute_url(),
    )


@transaction.atomic
def unit_approve(*, actor, unit: Unit) -> Unit:
    """Admit a unit to the platform (also lifts a suspension or reverses a rejection)."""
    return _unit_transition(actor=actor, unit=unit, to=Unit.Status.APPROVED)


@transaction.atomic
def unit_reject(*, actor, unit: Unit, reason: str) -> Unit:
    """Refuse a unit's registration; the reason is shown to the applicant."""
    if not reason.strip():
        raise DomainError(_("Give the applicant a reason for the rejection."))
    return _unit_transition(actor=actor, unit=unit, to=Unit.Status.REJECTED, reason=reason.strip())


@transaction.atomic
def unit_suspend(*, actor, unit: Unit, reason: str) -> Unit:
    """Suspend an approved unit; its people can no longer act for it."""
    if not reason.strip():
        raise DomainError(_("Give the unit a reason for the suspension."))
    return _unit_transition(actor=actor, unit=unit, to=Unit.Status.SUSPENDED, reason=reason.strip())
