"""A free-text search lists its best ``SEARCH_LIMIT`` results, and says when there were more.

Past the limit the catalogue page says "more than 1,000 found" and its facets name classes and
districts without counts (``catalogue.catalogue_counts``), and the API's ``count`` stops at the
limit with ``"more": true``: counting, grouping and ranking then read at most ``SEARCH_LIMIT + 1``
rows each, instead of every match with its joins (choosing the candidates still reads each match
once, for its registration date). The catalogue without a search is counted and paged in full.
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import BigIntegerField, BooleanField, F, Func, Q, QuerySet
from django.utils.functional import cached_property

from .search import rank_expression

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
        rows.filter(_relevance_candidates(ranked, len(tokens)))
        .annotate(search_rank=rank_expression(tokens))
        .order_by(*RELEVANCE_ORDER)
    )
    through_candidates.ranking = Ranking(matches=queryset.order_by(), as_is=as_is)
    return through_candidates


def _relevance_candidates(ranked, token_count: int):
    """The rows of ``ranked`` (annotated with ``search_rank``) that can be among its first
    ``SEARCH_LIMIT`` by (rank, newest, id), plus enough to tell whether there are more: for each
    rank r from 0 to the number of tokens, the ``SEARCH_LIMIT + 1`` newest rows of rank r or more.

    Why that is enough: a row x of rank r among the first SEARCH_LIMIT comes after every row of
    a higher rank and every newer row of rank r, which are all the rows of rank ≥ r newer than
    x; so fewer than SEARCH_LIMIT rows of rank ≥ r are newer than x, and x is among the newest
    SEARCH_LIMIT of them. The r = 0 list (the newest matches) alone has SEARCH_LIMIT + 1 rows
    when there are more matches than SEARCH_LIMIT, so counting the candidates up to
    SEARCH_LIMIT + 1 counts the matches up to it (``capped_count``). The answer is a condition
    on the id, true of the candidates alone."""
    plain = ranked.order_by()
    levels = [
        (plain.filter(search_rank__gte=rank) if rank else plain)
        .order_by("-created_at", "-pk")
        .values("pk")[: SEARCH_LIMIT + 1]
        for rank in range(token_count + 1)
    ]
    if connections[ranked.db].vendor == "postgresql":
        from django.contrib.postgres.expressions import ArraySubquery
        from django.contrib.postgres.fields import ArrayField

        return AnyOf(F("pk"), concatenated([ArraySubquery(level) for level in levels], ArrayField(BigIntegerField())))
    candidates = Q()
    for level in levels:
        candidates |= Q(pk__in=level)
    return candidates


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
