"""Reads of the public catalogue: the listed instruments, their order, facet counts, one public
instrument with similar ones, and the platform's headline figures.

Definitions used across the catalogue:

* **where an instrument is** (district filter and facet): its installation district, or its
  owner unit's district when the record gives none.
* **online booking**: the instrument can be booked on this site by outside users: it is shared
  externally, its operating status takes bookings (``Instrument.BOOKABLE_STATUSES``) and it has
  published weekly opening hours. Whether bookings then need the owner's approval
  (``needs_approval``) does not matter.
"""

from decimal import Decimal

from django.db import connections
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from core import money
from members.models import Unit

from . import search_limit
from .models import Category, Instrument, OpeningHours, Photo
from .search import is_searched, query_tokens

WAN = Decimal("10000")

SORT_RELEVANCE = "relevance"
SORT_NEWEST = "newest"
SORT_VALUE_DESC = "value_desc"
SORT_VALUE_ASC = "value_asc"
SORT_CHOICES = [
    (SORT_RELEVANCE, _("Relevance")),
    (SORT_NEWEST, _("Newest")),
    (SORT_VALUE_DESC, _("Value, highest first")),
    (SORT_VALUE_ASC, _("Value, lowest first")),
]

SIMILAR_COUNT = 4


def online_booking_q() -> Q:
    """See the module docstring: externally shared, bookable status, with opening hours."""
    return Q(
        Exists(OpeningHours.objects.filter(instrument=OuterRef("pk"))),
        sharing_mode=Instrument.SharingMode.EXTERNAL,
        operating_status__in=Instrument.BOOKABLE_STATUSES,
    )


def located_in_q(district_id: int | None) -> Q:
    """Instruments in a district: installed there, or, with no installation district, owned by a
    unit there. The district is given by id, a plain column test for the planner (None: no such
    district, nothing matches)."""
    if district_id is None:
        return Q(pk__in=[])
    return Q(district_id=district_id) | Q(district__isnull=True, unit__district_id=district_id)


def _with_card_data(queryset):
    return (
        queryset.with_related()
        .annotate(online_booking=ExpressionWrapper(online_booking_q(), output_field=BooleanField()))
        .prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("order", "pk")))
    )


def instrument_list_public():
    """Every instrument of the public catalogue with what a result line shows."""
    return _with_card_data(Instrument.objects.public())


def order_results(queryset, *, sort: str, search: str, unfiltered=None, few: bool = False):
    """Order catalogue results: relevance (default while searching), newest (default otherwise)
    or value. Relevance = tokens found in the title (name, English name, model), then newest,
    through ``search_limit.ranked_by_relevance`` (``unfiltered`` and ``few`` are its own)."""
    tokens = query_tokens(search)
    if not sort:
        sort = SORT_RELEVANCE if tokens else SORT_NEWEST
    if sort == SORT_RELEVANCE and tokens:
        return search_limit.ranked_by_relevance(queryset, tokens, unfiltered=unfiltered, few=few)
    if sort == SORT_VALUE_DESC:
        return queryset.order_by("-original_value", "-pk")
    if sort == SORT_VALUE_ASC:
        return queryset.order_by("original_value", "pk")
    return queryset.order_by("-created_at", "-pk")


def catalogue_counts(filterset) -> dict:
    """The number of results and both facets of the current query, from one grouping query.

    The facets ignore their own filter (every class shows how many it would give), so the three
    figures come from different row sets. All three are read from one pass over the rows that
    pass every *other* filter (``queryset_without("category", "district")``, which is also how a
    wider filter set such as free-between reaches the facets), grouped by (class, place): the class
    and district filters are then applied to the groups here, with the same meaning as the filters
    (``filter_category``: the class or its parent has the code; ``located_in_q``: the place is the
    district). The page's paginator takes ``total`` instead of counting again. A filter set reads
    them once, as ``InstrumentFilter.counts``.

    A search reads at most ``SEARCH_LIMIT + 1`` of those rows. When there are more (``more``),
    the facets name the classes and places found among the rows read, with no count (``count``
    None), the selected ones always; ``total`` is ``SEARCH_LIMIT + 1`` ("more") when no class
    or district is chosen (the rows read were the results), else None: the paginator counts
    the results up to the limit, in one more query."""
    data = filterset.form.cleaned_data
    category_code = data.get("category") or ""
    district_code = data.get("district") or ""
    categories = {c.pk: c for c in filterset.categories()}
    districts = filterset.districts()
    district_id = next((d.pk for d in districts if d.code == district_code), None)
    searched = is_searched(data.get("search"))

    def in_category(category) -> bool:
        if not category_code:
            return True
        parent = categories.get(category.parent_id)
        return category.code == category_code or (parent is not None and parent.code == category_code)

    rows = filterset.queryset_without("category", "district").order_by()
    if searched:
        # A search reads at most SEARCH_LIMIT + 1 matching rows (see search_limit), grouped here.
        limit = search_limit.SEARCH_LIMIT
        read = list(rows.values_list("category_id", Coalesce("district_id", "unit__district_id"))[: limit + 1])
        more = len(read) > limit
        groups = [(category_id, place, 1) for category_id, place in read[:limit]]
    else:
        more = False
        groups = (
            rows.values("category_id", place=Coalesce("district_id", "unit__district_id"))
            .annotate(count=Count("*"))  # not Count("pk"): the rows' ids are not in the index read
            .values_list("category_id", "place", "count")
        )
    total = 0
    by_class: dict[int, int] = {}
    by_place: dict[int, int] = {}
    for category_id, place, count in groups:
        category = categories.get(category_id)
        if category is None:  # a class added after the list was read: counted nowhere, like a filter would
            continue
        class_ok = in_category(category)
        place_ok = not district_code or place == district_id
        if place_ok:
            main_class = category.parent_id or category.pk
            by_class[main_class] = by_class.get(main_class, 0) + count
        if class_ok:
            by_place[place] = by_place.get(place, 0) + count
        if class_ok and place_ok:
            total += count
    if more and not category_code and not district_code:
        total = search_limit.SEARCH_LIMIT + 1  # the rows read were the results themselves: more than the limit
    elif more:
        total = None  # among the results of the class or district, counted by the paginator
    return {
        "total": total,
        "more": more,
        "category_facets": [
            {
                "value": c.code,
                "label": c.display_name,
                "count": None if more else by_class[c.pk],
                "selected": category_code[:2] == c.code,
            }
            for c in categories.values()
            if c.parent_id is None and (by_class.get(c.pk) or (more and category_code[:2] == c.code))
        ],
        "district_facets": [
            {
                "value": d.code,
                "label": d.display_name,
                "count": None if more else by_place[d.pk],
                "selected": district_code == d.code,
            }
            for d in districts
            if by_place.get(d.pk) or (more and district_code == d.code)
        ],
    }


def instrument_get_public(*, pk) -> Instrument:
    """A public instrument with its fees, hours and photos; 404 when missing, retired or owned
    by a unit that is not approved."""
    instrument = instrument_list_public().prefetch_related("fee_items", "opening_hours").filter(pk=pk).first()
    if instrument is None:
        raise Http404
    return instrument


def instrument_get_detailed(*, pk) -> Instrument:
    """An instrument with everything its public page shows, whatever its state (retired too): for
    answering a write the caller was already allowed to make."""
    return _with_card_data(Instrument.objects.all()).prefetch_related("fee_items", "opening_hours").get(pk=pk)


def similar_instruments(instrument: Instrument, *, count: int = SIMILAR_COUNT) -> list[Instrument]:
    """A few other public instruments of the same subclass (中类), then of the same main class
    (大类), those open to outside users first, then the newest. One query.

    On PostgreSQL the query first narrows to ``_among_similar_candidates`` (a few index reads, done
    once), so it no longer sorts the whole main class; the order and the answer are the same."""
    category = instrument.category
    main_class_id = category.parent_id or category.pk
    same_subclass = Q(category_id=category.pk)
    queryset = (
        Instrument.objects.public()
        .with_related()
        .filter(same_subclass | Q(category__parent_id=main_class_id) | Q(category_id=main_class_id))
        .exclude(pk=instrument.pk)
        .annotate(
            same_subclass=ExpressionWrapper(same_subclass, output_field=BooleanField()),
            external=ExpressionWrapper(Q(sharing_mode=Instrument.SharingMode.EXTERNAL), output_field=BooleanField()),
        )
        .order_by("-same_subclass", "-external", "-created_at", "-pk")
    )
    if connections[queryset.db].vendor == "postgresql":  # the database the router reads this from
        queryset = queryset.filter(_among_similar_candidates(instrument, main_class_id=main_class_id, count=count))
    return list(queryset[:count])


def _among_similar_candidates(instrument: Instrument, *, main_class_id: int, count: int):
    """ "id = ANY(ids)" for ids that hold the first ``count`` similar instruments (PostgreSQL): the ``count`` newest of
    each (class of the main class, sharing mode), each read from the ``instrument_similar`` index.

    Why that is enough: the order groups rows by (same subclass, shared externally) and within a
    group sorts by (newest, id); each group is a union of (class, mode) cells, so a row among the
    first ``count`` of its group is among the first ``count`` of its cell. The modes are the
    field's choices (every write goes through ``full_clean``)."""
    from django.contrib.postgres.expressions import ArraySubquery
    from django.contrib.postgres.fields import ArrayField

    def newest(mode):
        return ArraySubquery(
            Instrument.objects.public()
            .filter(category_id=OuterRef("pk"), sharing_mode=mode)
            .exclude(pk=instrument.pk)
            .order_by("-created_at", "-pk")
            .values("pk")[:count]
        )

    cells = [newest(mode) for mode in Instrument.SharingMode.values]
    ids = Func(
        search_limit.concatenated(cells, ArrayField(BigIntegerField())),
        function="unnest",
        output_field=BigIntegerField(),
    )
    cells_of_the_main_class = Category.objects.filter(Q(pk=main_class_id) | Q(parent_id=main_class_id))
    return search_limit.AnyOf(F("pk"), ArraySubquery(cells_of_the_main_class.annotate(ids=ids).values("ids")))


def headline_figures() -> dict:
    """The platform's figures for the home page: approved member units, public instruments and
    their total original value. Two aggregate queries."""
    totals = Instrument.objects.public().aggregate(
        count=Count("pk"), value=Coalesce(Sum("original_value"), Value(Decimal("0")))
    )
    return {
        "unit_count": Unit.objects.approved().count(),
        "instrument_count": totals["count"],
        "total_value": totals["value"],
        "total_value_display": money.format_large(totals["value"]),
    }


def unit_instruments_public(unit: Unit):
    """The unit's instruments in the public catalogue (none while the unit is not approved),
    newest first, with what a line of its profile shows; one query for any page of it."""
    return (
        Instrument.objects.public()
        .owned_by(unit)
        .select_related("category")
        .annotate(online_booking=ExpressionWrapper(online_booking_q(), output_field=BooleanField()))
        .order_by("-created_at", "-pk")
    )


def unit_figures(unit: Unit) -> dict:
    """The headline figures of a unit's profile, over its public instruments: how many, their
    total original value (yuan; shown in 万元 at the edge) and how many take online bookings
    (see the module docstring). One aggregate query."""
    return (
        Instrument.objects.public()
        .owned_by(unit)
        .aggregate(
            instrument_count=Count("pk"),
            total_value=Coalesce(Sum("original_value"), Value(Decimal("0"))),
            online_booking_count=Count("pk", filter=online_booking_q()),
        )
    )
