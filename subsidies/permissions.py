"""Who may do what with subsidies: every door asks these functions."""

from members.models import Membership, Unit
from members.permissions import is_bureau_staff, is_unit_manager, unit_role


def can_apply_for(user, unit: Unit) -> bool:
    """Create, edit and submit a unit's applications: its administrators, while it is approved."""
    return unit.is_approved and unit_role(user, unit) == Membership.Role.ADMIN


def can_view_applications_of(user, unit: Unit) -> bool:
    """Read a unit's applications: its active members."""
    return unit_role(user, unit) is not None


def can_confirm_for(user, provider: Unit) -> bool:
    """Confirm or dispute claimed services of a provider's instruments: its managers."""
    return is_unit_manager(user, provider)


def can_decide(user) -> bool:
    """Approve, return, reject, reduce and publicise: bureau staff with the decide permission."""
    return is_bureau_staff(user) and user.has_perm("subsidies.decide_application")


def can_pay(user) -> bool:
    """Mark paid and claw back: bureau staff who also hold the separate pay permission."""
    return is_bureau_staff(user) and user.has_perm("subsidies.pay_application")
