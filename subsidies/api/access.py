"""Who sees which applications and rewards through the API, and how much of each: the one way in.

An application is seen whole by the active members of its unit and by bureau staff; the managers of
a provider unit see the applications that were ever submitted with services of their instruments,
with only those lines (no note, evidence, decision reasons or payment reference: those are the
applicant's and the bureau's). A reward is seen by the members of its provider unit and the bureau.
Everyone else gets the same 404 for missing and not yours, and empty lists.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404

from members.models import Membership
from members.permissions import is_bureau_staff

from ..models import Application, ApplicationLine, ProviderReward

# The largest id a primary key holds (BigAutoField); a larger one names nothing.
MAX_ID = 2**63 - 1


class Role:
    """How a viewer sees an application (``viewer_role`` in the API)."""

    APPLICANT = "applicant"
    PROVIDER = "provider"
    BUREAU = "bureau"
    ALL = (APPLICANT, PROVIDER, BUREAU)


@dataclass(frozen=True)
class Viewer:
    """What one request's user may see: read once per request (two small queries)."""

    bureau: bool
    member_unit_ids: frozenset
    managed_unit_ids: frozenset

    def role(self, application: Application) -> str:
        if application.unit_id in self.member_unit_ids:
            return Role.APPLICANT
        return Role.BUREAU if self.bureau else Role.PROVIDER

    def sees_whole(self, application: Application) -> bool:
        return self.role(application) != Role.PROVIDER

    def visible_lines(self, application: Application) -> list[ApplicationLine]:
        lines = application.lines.all()  # prefetched by application_list_visible
        if self.sees_whole(application):
            return list(lines)
        return [line for line in lines if line.provider_id in self.managed_unit_ids]


def viewer_for(user) -> Viewer:
    if not user.is_authenticated:
        return Viewer(bureau=False, member_unit_ids=frozenset(), managed_unit_ids=frozenset())
    memberships = Membership.objects.active().filter(user=user)
    return Viewer(
        bureau=is_bureau_staff(user),
        member_unit_ids=frozenset(memberships.values_list("unit_id", flat=True)),
        managed_unit_ids=frozenset(Membership.objects.managing().filter(user=user).values_list("unit_id", flat=True)),
    )


def valid_id(pk) -> int:
    """``pk`` as an id, or 404: a path's digits may name more than a primary key can hold."""
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < value <= MAX_ID:
        raise Http404
    return value


def application_list_visible(*, viewer: Viewer):
    """The applications ``viewer`` may see, with their lines (and what each line names) and their
    evidence prefetched: a fixed number of queries however many there are."""
    applications = Application.objects.with_related().prefetch_related(
        Prefetch(
            "lines",
            queryset=ApplicationLine.objects.select_related(
                "service_record", "service_record__instrument", "provider"
            ).order_by("pk"),
        ),
        "evidence",
    )
    if viewer.bureau:
        return applications
    provided = ApplicationLine.objects.filter(application=OuterRef("pk"), provider_id__in=viewer.managed_unit_ids)
    return applications.filter(
        Q(unit_id__in=viewer.member_unit_ids) | (Q(submitted_at__isnull=False) & Exists(provided))
    )


def application_get_visible(*, viewer: Viewer, pk) -> Application:
    application = application_list_visible(viewer=viewer).filter(pk=valid_id(pk)).first()
    if application is None:
        raise Http404
    return application


def application_get_whole(*, viewer: Viewer, pk) -> Application:
    """An application its unit's members or the bureau see whole (its claimable services, its
    arithmetic); a provider who sees only its lines gets 404 like anyone else."""
    application = application_get_visible(viewer=viewer, pk=pk)
    if not viewer.sees_whole(application):
        raise Http404
    return application


def line_get(*, application: Application, pk) -> ApplicationLine:
    line = ApplicationLine.objects.filter(application=application, pk=valid_id(pk)).first()
    if line is None:
        raise Http404
    return line


def reward_list_visible(*, viewer: Viewer):
    rewards = ProviderReward.objects.select_related("programme", "unit", "unit__district")
    if viewer.bureau:
        return rewards
    return rewards.filter(unit_id__in=viewer.member_unit_ids)


def reward_get_visible(*, viewer: Viewer, pk) -> ProviderReward:
    reward = reward_list_visible(viewer=viewer).filter(pk=valid_id(pk)).first()
    if reward is None:
        raise Http404
    return reward
