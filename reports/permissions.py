"""Who may see and start reports: bureau staff everything; a unit's administrators their own
unit's runs (and may start runs scoped to it); everybody else nothing (the pages answer 404)."""

from members.models import Membership, Unit

from .models import ScopeKind


def is_bureau(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_perm("reports.view_reportrun")))


def administered_unit_ids(user) -> list[int]:
    if not (user and user.is_authenticated):
        return []
    return list(
        Membership.objects.filter(
            user=user, role=Membership.Role.ADMIN, status=Membership.Status.ACTIVE, unit__status=Unit.Status.APPROVED
        ).values_list("unit_id", flat=True)
    )


def can_see_reports(user) -> bool:
    return is_bureau(user) or bool(administered_unit_ids(user))


def can_start_run(user, scope) -> bool:
    if is_bureau(user):
        return True
    return scope.kind == ScopeKind.UNIT and scope.id in administered_unit_ids(user)
