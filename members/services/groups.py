"""Groups of related units under one actual controller: declared by a unit, confirmed by the bureau."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.transitions import history_reason

from ..exceptions import DomainError, InvalidTransition, PermissionDenied
from ..messages import Named
from ..models import Membership, Unit, UnitGroup
from ..permissions import can_decide_unit, can_manage_unit
from .notifications import notification_send

User = get_user_model()


# A unit's administrator declares the group; the bureau confirms or removes the membership. Only a
# confirmed membership counts (members.selectors.related_unit_ids, units_related, cap_holder_key).


def _unit_group_find_or_create(*, actor, name: str, controller: str, unit: Unit) -> UnitGroup:
    """The group of that name, whatever its case; created if there is none. A concurrent
    declaration of the same new name finds the group the other one created."""
    group = UnitGroup.objects.filter(name__iexact=name).first()
    if group is not None:
        return group
    group = UnitGroup(name=name, controller=controller)
    group._history_user = actor
    group._change_reason = history_reason("declared", unit.name)
    try:
        with transaction.atomic():
            group.full_clean()
            group.save()
    except (IntegrityError, ValidationError):
        existing = UnitGroup.objects.filter(name__iexact=name).first()
        if existing is None:
            raise
        return existing
    return group


def _unit_group_people(unit: Unit):
    """Who hears about the unit's group: its active administrators and instrument managers,
    whether or not the unit is approved yet."""
    return User.objects.filter(
        is_active=True,
        memberships__unit=unit,
        memberships__status=Membership.Status.ACTIVE,
        memberships__role__in=Membership.MANAGING_ROLES,
    ).distinct()


@transaction.atomic
def unit_group_declare(*, actor, unit: Unit, group_name: str, controller: str) -> Unit:
    """A unit's administrator declares the group of related units it belongs to, by the group's
    name (found whatever its case, or created with ``controller``). The membership waits for the
    bureau's confirmation (``unit_group_confirm``) and counts for nothing until then.

    Declaring the group the unit is already confirmed in changes nothing. When the group exists
    with another controller, the group keeps its own and the declared one is kept in the unit's
    history for the bureau to see."""
    if not can_manage_unit(actor, unit):
        raise PermissionDenied
    group_name, controller = group_name.strip(), controller.strip()
    if not group_name or not controller:
        raise DomainError(_("Give both the group's name and its actual controller, or leave both blank."))
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    group = _unit_group_find_or_create(actor=actor, name=group_name, controller=controller, unit=unit)
    if unit.group_id == group.pk and unit.group_confirmed:
        return unit
    unit.group = group
    unit.group_confirmed = False
    unit._history_user = actor
    unit._change_reason = history_reason("group declared", f"{group.name} ({controller})")
    unit.full_clean()
    unit.save()
    return unit


def _unit_for_group_decision(*, actor, unit: Unit) -> Unit:
    if not can_decide_unit(actor):
        raise PermissionDenied
    locked = Unit.objects.select_for_update().get(pk=unit.pk)
    if locked.group_id is None:
        raise DomainError(_("This unit has declared no group of related units."))
    return locked


@transaction.atomic
def unit_group_confirm(*, actor, unit: Unit) -> Unit:
    """The bureau confirms the unit's declared group; from now on it counts (no subsidy between
    the group's units, one cap for the group). The unit's managers are told."""
    unit = _unit_for_group_decision(actor=actor, unit=unit)
    group = unit.group
    if unit.group_confirmed:
        raise InvalidTransition(
            _("This unit's membership of “%(group)s” is already confirmed.") % {"group": group.name}
        )
    unit.group_confirmed = True
    unit._history_user = actor
    unit._change_reason = history_reason("group confirmed", group.name)
    unit.save()
    notification_send(
        recipients=_unit_group_people(unit),
        subject=gettext_lazy("The bureau confirmed that %(unit)s belongs to “%(group)s”"),
        body=gettext_lazy(
            "The bureau confirmed that your unit %(unit)s belongs to the group of related units “%(group)s” "
            "(actual controller: %(controller)s). Services between the group's units are not subsidised, "
            "and the group's subsidy cap counts all its units."
        ),
        params={"unit": Named.of(unit), "group": group.name, "controller": group.controller},
        url=unit.get_absolute_url(),
    )
    return unit


@transaction.atomic
def unit_group_remove(*, actor, unit: Unit, reason: str = "") -> Unit:
    """The bureau takes the unit out of its group (a declaration refused, or a relation ended);
    the unit's managers are told, with the reason if one is given."""
    unit = _unit_for_group_decision(actor=actor, unit=unit)
    group = unit.group
    reason = reason.strip()
    unit.group = None
    unit.group_confirmed = False
    unit._history_user = actor
    unit._change_reason = history_reason("group removed", f"{group.name}: {reason}" if reason else group.name)
    unit.save()
    if reason:
        body = gettext_lazy(
            "The bureau removed your unit %(unit)s from the group of related units “%(group)s”. Reason: %(reason)s"
        )
    else:
        body = gettext_lazy("The bureau removed your unit %(unit)s from the group of related units “%(group)s”.")
    notification_send(
        recipients=_unit_group_people(unit),
        subject=gettext_lazy("%(unit)s is no longer in the group “%(group)s”"),
        body=body,
        params={"unit": Named.of(unit), "group": group.name, "reason": reason},
        url=unit.get_absolute_url(),
    )
    return unit
