"""The scope of a report: the whole platform, a district, a category, a unit or one instrument."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from core.exceptions import DomainError
from instruments.models import Category, Instrument
from members.models import District, Unit

from .models import ScopeKind


@dataclass(frozen=True)
class Scope:
    kind: str = ScopeKind.PLATFORM
    id: int | None = None
    label: str = ""

    def instrument_q(self, prefix: str = "") -> Q:
        """The condition on instruments (``prefix``: the path to the instrument, e.g. "instrument__")."""
        if self.kind == ScopeKind.PLATFORM:
            return Q()
        if self.kind == ScopeKind.DISTRICT:
            # Where the instrument has no district of its own, its unit's district counts.
            return Q(**{f"{prefix}district_id": self.id}) | Q(
                **{f"{prefix}district__isnull": True, f"{prefix}unit__district_id": self.id}
            )
        if self.kind == ScopeKind.CATEGORY:
            # A category (大类) covers its subcategories (中类): the code is a prefix.
            code = Category.objects.filter(pk=self.id).values_list("code", flat=True).first() or "-"
            return Q(**{f"{prefix}category__code__startswith": code})
        if self.kind == ScopeKind.UNIT:
            return Q(**{f"{prefix}unit_id": self.id})
        return Q(**{f"{prefix}pk": self.id})

    def unit_q(self, prefix: str = "") -> Q:
        """The condition on units: the unit itself, the district's units, the owners of the
        category's or of the instrument, or all."""
        if self.kind == ScopeKind.UNIT:
            return Q(**{f"{prefix}pk": self.id})
        if self.kind == ScopeKind.DISTRICT:
            return Q(**{f"{prefix}district_id": self.id})
        if self.kind == ScopeKind.INSTRUMENT:
            return Q(**{f"{prefix}instruments__pk": self.id})
        if self.kind == ScopeKind.CATEGORY:  # the units owning instruments of the category
            return Q(**{f"{prefix}pk__in": Instrument.objects.filter(self.instrument_q()).values("unit_id")})
        return Q()


_MODELS = {
    ScopeKind.DISTRICT: District,
    ScopeKind.CATEGORY: Category,
    ScopeKind.UNIT: Unit,
    ScopeKind.INSTRUMENT: Instrument,
}


def scope_resolve(*, kind: str, id: int | None) -> Scope:
    """The scope asked for, with its name; a clear error for an unknown kind or a missing object."""
    if kind in ("", None, ScopeKind.PLATFORM):
        return Scope(ScopeKind.PLATFORM, None, "")
    model = _MODELS.get(kind)
    if model is None:
        raise DomainError(
            _("Choose the whole platform, a district, a category, a unit or an instrument."), field="scope_kind"
        )
    if id is None:
        raise DomainError(
            _("Choose which %(scope)s the report covers.") % {"scope": model._meta.verbose_name}, field="scope_id"
        )
    obj = model._default_manager.filter(pk=id).first()
    if obj is None:
        raise DomainError(_("There is no such %(scope)s.") % {"scope": model._meta.verbose_name}, field="scope_id")
    return Scope(kind, obj.pk, str(obj)[:200])
