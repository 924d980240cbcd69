"""Programmes: created from a city preset or by hand, and changed only in ways that keep the money
already committed within every limit."""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.exceptions import DomainError, PermissionDenied
from core.money import format_yuan
from members.permissions import is_bureau_staff

from ..models import CapCounter, CounterKind, Programme, TierRule
from ..models.programme import BY_HAND
from ..presets import PRESETS


def can_edit_programmes(user) -> bool:
    return is_bureau_staff(user) and user.has_perm("subsidies.change_programme")


@transaction.atomic
def programme_create(*, actor, preset: str | None = None, **fields) -> Programme:
    """A new programme; ``preset`` ("qingdao", "chongqing") fills every value not given."""
    if not is_bureau_staff(actor) or not actor.has_perm("subsidies.add_programme"):
        raise PermissionDenied
    tiers = []
    if preset:
        if preset not in PRESETS:
            raise DomainError(_("Unknown preset."), field="preset")
        fields = {**PRESETS[preset]["fields"], **fields}
        tiers = PRESETS[preset]["tiers"]
    listed = fields.pop("listed_units", None)
    programme = Programme(**fields)
    programme._history_user, programme._change_reason = actor, f"created: {preset or BY_HAND}"
    programme.full_clean()
    programme.save()
    TierRule.objects.bulk_create([TierRule(programme=programme, condition=c, rate=r) for c, r in tiers])
    if listed is not None:
        programme.listed_units.set(listed)
    return programme


def committed_problems(programme: Programme, changes: dict) -> list[tuple[str, str]]:
    """``(field, message)`` for each change that would break money already committed."""
    current = Programme.objects.select_for_update().get(pk=programme.pk)
    problems = []
    budget = changes.get("budget", current.budget)
    if budget is not None and budget < current.committed:
        problems.append(
            (
                "budget",
                _("%(committed)s is already committed; the budget cannot go below it.")
                % {"committed": format_yuan(current.committed)},
            )
        )
    for field, kind in (("cap_per_enterprise", CounterKind.APPLICANT), ("provider_reward_cap", CounterKind.PROVIDER)):
        if field not in changes or changes[field] is None:
            continue
        top = CapCounter.objects.filter(programme=current, kind=kind).aggregate(top=Max("granted"))["top"]
        if top is not None and changes[field] < top:
            problems.append(
                (
                    field,
                    _("A holder has already been granted %(granted)s; the cap cannot go below it.")
                    % {"granted": format_yuan(top)},
                )
            )
    changes_grouping = "cap_counts_group" in changes and changes["cap_counts_group"] != current.cap_counts_group
    counted = CapCounter.objects.filter(programme=current, kind=CounterKind.APPLICANT, granted__gt=0)
    if changes_grouping and counted.exists():
        problems.append(("cap_counts_group", _("Grants are already counted this way; this cannot change now.")))
    return problems


@transaction.atomic
def programme_update(*, actor, programme: Programme, **changes) -> Programme:
    """Change a programme's values; refused (naming the field) where committed money would break
    a limit. Cap counters follow the new caps."""
    if not can_edit_programmes(actor):
        raise PermissionDenied
    problems = committed_problems(programme, changes)
    if problems:
        field, message = problems[0]
        raise DomainError(message, field=field)
    listed = changes.pop("listed_units", None)
    for name, value in changes.items():
        setattr(programme, name, value)
    programme._history_user, programme._change_reason = actor, "changed"
    programme.full_clean()
    programme.save()
    if listed is not None:
        programme.listed_units.set(listed)
    sync_counter_caps(programme)
    return programme


def sync_counter_caps(programme: Programme) -> None:
    CapCounter.objects.filter(programme=programme, kind=CounterKind.APPLICANT).update(cap=programme.cap_per_enterprise)
    CapCounter.objects.filter(programme=programme, kind=CounterKind.PROVIDER).update(cap=programme.provider_reward_cap)
