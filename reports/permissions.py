"""Who may see and start reports: bureau staff everything; the administrators of a unit that
shares instruments (a university, an institute, a testing centre, a hospital…) its own unit's runs,
and may start runs scoped to it; enterprises — even those that share instruments of their own —
and everybody else nothing (the pages answer 404), as the issue asks."""

from django.db.models import Exists, OuterRef

from instruments.models import Instrument
from members.models import Membership, Unit

from .models import ScopeKind


def is_bureau(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_perm("reports.view_reportrun")))


def administered_units(user):
    """The ids of the units whose reports the user may read, as a subquery: approved units, not
    enterprises, with at least one registered instrument, which the user administers."""
    return (
        Membership.objects.filter(
            Exists(Instrument.objects.filter(unit_id=OuterRef("unit_id"))),
            user=user,
            role=Membership.Role.ADMIN,
            status=Membership.Status.ACTIVE,
            unit__status=Unit.Status.APPROVED,
        )
        .exclude(unit__unit_type=Unit.Type.ENTERPRISE)
        .values("unit_id")
    )


def administered_unit_ids(user) -> list[int]:
    if not (user and user.is_authenticated):
        return []
    return [row["unit_id"] for row in administered_units(user)]


def can_see_reports(user) -> bool:
    return is_bureau(user) or bool(administered_unit_ids(user))


def can_start_run(user, scope) -> bool:
    if is_bureau(user):
        return True
    return scope.kind == ScopeKind.UNIT and scope.id in administered_unit_ids(user)
