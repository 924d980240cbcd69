"""A free-text search lists its best ``SEARCH_LIMIT`` results, and says when there were more.

Past the limit the catalogue page says "more than 1,000 found" and its facets name classes and
districts without counts (``catalogue.catalogue_counts``), and the API's ``count`` stops at the
limit with ``"more": true``: counting, grouping and ranking then read at most ``SEARCH_LIMIT + 1``
rows each, instead of every match with its joins. Choosing the candidates reads a word's matches
of the newest months only, on PostgreSQL (``_newest_by_month``); a query whose tokens give no gram,
or grams of both kinds, and SQLite read each match once, for its registration date. The catalogue
without a search is counted and paged in full.
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import BigIntegerField, BooleanField, F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property

from .search import rank_expression, token_grams, token_latin_grams

SEARCH_LIMIT = 1000
RELEVANCE_ORDER = ("-search_rank", "-created_at", "-pk")


class AnyOf(Func):
    """``field = ANY(array)`` (PostgreSQL). With the array given as ``ARRAY(subquery)`` it is an
    init plan, read once, whatever the planner guesses of the rows around it (an ``IN`` subquery
    could be run again for every outer row), and the outer rows are then read by their ids."""

    template = "(%(expressions)s))"
    arg_joiner = " = ANY("
    output_field = BooleanField()


def concatenated(arrays, output_field):
    """``a || b || …`` of several array expressions."""
    return Func(*arrays, function="", arg_joiner=" || ", output_field=output_field)


def ranked_by_relevance(queryset, tokens: list[str], *, unfiltered=None, few: bool = False):
    """The rows of ``queryset`` by relevance (tokens found in the title, then newest), for a
    search of ``tokens``. Unless the caller knows they are ``few`` (at most SEARCH_LIMIT, e.g.
    from the facets), they are the ``_relevance_candidates``, which hold the first SEARCH_LIMIT
    results (all a search shows), so no page ranks every match; the candidates are read by id
    from ``unfiltered`` (``queryset`` before its filters, with what the result lines show; by
    default ``queryset``), so the filters are not tested again on each. A list ranked through
    candidates carries a ``Ranking`` for ``SearchPaginator``."""
    ranked = queryset.annotate(search_rank=rank_expression(tokens))
    as_is = ranked.order_by(*RELEVANCE_ORDER)
    if few:
        return as_is
    rows = queryset if unfiltered is None else unfiltered
    through_candidates = (
        rows.filter(_relevance_candidates(ranked, tokens))
        .annotate(search_rank=rank_expression(tokens))
        .order_by(*RELEVANCE_ORDER)
    )
    through_candidates.ranking = Ranking(matches=queryset.order_by(), as_is=as_is)
    return through_candidates


def _relevance_candidates(ranked, tokens: list[str]):
    """The rows of ``ranked`` (annotated with ``search_rank``) that can be among its first
    ``SEARCH_LIMIT`` by (rank, newest, id), plus enough to tell whether there are more: for each
    rank r from 0 to the number of tokens, the ``SEARCH_LIMIT + 1`` newest rows of rank r or more.

    Why that is enough: a row x of rank r among the first SEARCH_LIMIT comes after every row of
    a higher rank and every newer row of rank r, which are all the rows of rank ≥ r newer than
    x; so fewer than SEARCH_LIMIT rows of rank ≥ r are newer than x, and x is among the newest
    SEARCH_LIMIT of them. The r = 0 list (the newest matches) alone has SEARCH_LIMIT + 1 rows
    when there are more matches than SEARCH_LIMIT, so counting the candidates up to
    SEARCH_LIMIT + 1 counts the matches up to it (``capped_count``). The answer is a condition
    on the id, true of the candidates alone; a superset of them would do as well.

    On PostgreSQL each list is read through ``_newest_by_month`` when the query has a gram, so
    that finding a word's newest matches does not read every match."""
    plain = ranked.order_by()
    levels = [
        (plain.filter(search_rank__gte=rank) if rank else plain).order_by("-created_at", "-pk")
        for rank in range(len(tokens) + 1)
    ]
    if connections[ranked.db].vendor == "postgresql":
        from django.contrib.postgres.fields import ArrayField

        ids = ArrayField(BigIntegerField())
        gram = _month_gram(tokens)
        if gram is None:
            lists = [_newest(level) for level in levels]
        else:
            newest = newest_month(ranked.model)
            lists = [_newest_by_month(level, gram, newest, ids) for level in levels]
        return AnyOf(F("pk"), concatenated(lists, ids))
    candidates = Q()
    for level in levels:
        candidates |= Q(pk__in=level.values("pk")[: SEARCH_LIMIT + 1])
    return candidates


# How many months, counted back from the newest registration, each try of ``_newest_by_month``
# reads before the next, wider one; past the last, every match is read.
MONTH_WINDOWS = (1, 4, 16, 64)


class MonthKeys(Func):
    """The keys ``gram|m`` of the dated gram index (migration 0011) for the ``months`` months up
    to ``newest``; the expressions are the gram, the newest month and the number of months."""

    template = (
        "ARRAY(SELECT CAST(g AS text) || '|' || (n - k)"
        " FROM (VALUES (%(expressions)s)) AS given(g, n, months), generate_series(0, months - 1) AS k)"
    )

    def __init__(self, gram, newest, months):
        from django.contrib.postgres.fields import ArrayField

        super().__init__(gram, newest, months, output_field=ArrayField(TextField()))


class MoreThan(Func):
    """The array (the first expression) when it holds more elements than the second says, else
    null. ``OFFSET 0`` keeps the array a subquery of its own, computed once."""

    template = "(SELECT CASE WHEN cardinality(a) > n THEN a END FROM (SELECT %(expressions)s OFFSET 0) AS found(a, n))"


def _month_gram(tokens: list[str]) -> str | None:
    """A gram that every match of the tokens contains (see ``instruments.search``: the grams of a
    token's Han runs, or a short token's Latin runs), the longest first (the rarest, as a rule).
    None when they have none (Latin tokens of three characters or more), and when they have both
    kinds: the query then tests two gram functions, and beside the dated index PostgreSQL would
    compute one of them on each row it reads."""
    han = set().union(*(token_grams(t) for t in tokens))
    latin = set().union(*(token_latin_grams(t) for t in tokens))
    if han and latin:
        return None
    grams = han or latin
    return min(grams, key=lambda g: (-len(g), g)) if grams else None


def _newest(level):
    """The ``SEARCH_LIMIT + 1`` first ids of ``level`` (ordered newest first), as an array."""
    from django.contrib.postgres.expressions import ArraySubquery

    return ArraySubquery(level.values("pk")[: SEARCH_LIMIT + 1])


def newest_month(model):
    """The month (``instrument_month``) of the newest registration of ``model``'s table: one
    probe of the ``instrument_newest`` index, an init plan of each try that runs."""
    from django.db.models import IntegerField, Subquery

    month = Func(F("created_at"), function="instrument_month", output_field=IntegerField())
    return Subquery(model._base_manager.order_by("-created_at", "-pk").values(month=month)[:1])


def _newest_by_month(level, gram: str, newest, output_field):
    """``_newest(level)`` read from the dated gram index (migration 0011): first the rows
    registered in the ``newest`` month holding ``gram``, then in the newest 4, 16 and 64 months
    (``MONTH_WINDOWS``), each try only when the one before found no more than SEARCH_LIMIT rows,
    and last without a window. One SQL expression; PostgreSQL evaluates ``COALESCE``'s arguments
    in turn and stops at the first that is not null.

    Why a window is enough when it holds more than SEARCH_LIMIT rows: the window is every month
    from its first to the newest registration, so every row outside it is older than every row in
    it, and the newest SEARCH_LIMIT + 1 rows are the window's. Every row of ``level`` contains
    ``gram``, so a row registered in month m has the key ``gram|m``."""
    tries = [MoreThan(_newest(in_months(level, gram, newest, months)), Value(SEARCH_LIMIT)) for months in MONTH_WINDOWS]
    tries.append(_newest(level))
    return Coalesce(*tries, output_field=output_field)


def in_months(queryset, gram: str, newest, months: int):
    """The rows of ``queryset`` that hold ``gram`` and were registered in the ``months`` months up
    to ``newest`` (an expression of its month), found in the dated gram index."""
    from django.contrib.postgres.fields import ArrayField

    grams = ArrayField(TextField())
    dated = Func(F("search_document"), F("created_at"), function="instrument_dated_grams", output_field=grams)
    keys = MonthKeys(Value(gram), newest, Value(months))
    return queryset.alias(dated_grams=dated).filter(dated_grams__overlap=keys)


@dataclass(frozen=True)
class Ranking:
    """What ``order_results`` knows of results ranked through candidates: the matching rows
    (unordered) and the same rows ranked as they are, for a list found to be short."""

    matches: QuerySet
    as_is: QuerySet


def capped_count(queryset) -> int:
    """The number of rows, counted up to SEARCH_LIMIT + 1 (a searched list is never read further)."""
    return queryset.order_by()[: SEARCH_LIMIT + 1].count()


class SearchPaginator(Paginator):
    """The paginator of a searched list: it counts up to ``SEARCH_LIMIT + 1`` (or takes
    ``found``, counted so already) and pages through the first ``SEARCH_LIMIT``; ``more`` tells
    that there were more."""

    def __init__(self, object_list, per_page, found: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if found is not None:
            self.found = found

    @cached_property
    def found(self) -> int:
        """Counted on the matches themselves when the list was ranked through candidates
        (cheaper); when they are no more than SEARCH_LIMIT, they are then ranked as they are."""
        ranking = getattr(self.object_list, "ranking", None)
        if ranking is None:
            return capped_count(self.object_list)
        found = capped_count(ranking.matches)
        if found <= SEARCH_LIMIT:
            self.object_list = ranking.as_is
        return found

    @cached_property
    def count(self) -> int:
        return min(self.found, SEARCH_LIMIT)

    @property
    def more(self) -> bool:
        return self.found > SEARCH_LIMIT


def results_paginator(results, per_page: int, *, searched: bool, total: int | None) -> Paginator:
    """The catalogue page's paginator: a search's first SEARCH_LIMIT results (``total`` counted
    with the facets, None when they could not tell), otherwise every row (``total`` exact)."""
    if searched:
        return SearchPaginator(results, per_page, found=total)
    paginator = Paginator(results, per_page)
    paginator.count = total
    return paginator
