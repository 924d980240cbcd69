"""The public catalogue pages: search with filters and facets, and one instrument's page.

The site may widen both (``platform_site/urls.py``): a subclass of ``InstrumentFilter`` for the
search, a template extending the instrument page's (its ``booking`` block) for the page.
Anonymous visitors are served both from the page cache (core/pagecache.py; the catalogue's
writes move its version on: instruments/invalidation.py).
"""

from django.shortcuts import render

from core.pagecache import cached_page
from core.replica import replica_view

from . import catalogue, search_limit
from .filters import InstrumentFilter
from .invalidation import CATALOGUE
from .search import is_searched

PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 20
DETAIL_TEMPLATE = "instruments/catalogue/detail.html"


def page_size(request) -> int:
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


@cached_page(CATALOGUE)
@replica_view
def catalogue_list(request, filterset_class=InstrumentFilter):
    """Anyone may search; a fixed number of queries whatever the page size; reads from the
    read replica when there is one."""
    filterset = filterset_class(request.GET, queryset=catalogue.instrument_list_public())
    filterset.is_valid()  # (its errors are shown by the form; invalid filters are ignored)
    counts = filterset.counts  # first: with few matches the results are ranked without candidates
    results = filterset.qs
    searched = is_searched(filterset.form.cleaned_data.get("search"))
    paginator = search_limit.results_paginator(results, page_size(request), searched=searched, total=counts["total"])
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "instruments/catalogue/list.html",
        {
            "filter": filterset,
            "page": page,
            "category_facets": counts["category_facets"],
            "district_facets": counts["district_facets"],
            "page_sizes": PAGE_SIZES,
            "per_page": page_size(request),
            "searched": searched,
            "more": getattr(paginator, "more", False),
            "search_limit": search_limit.SEARCH_LIMIT,
        },
    )


@cached_page(CATALOGUE)
@replica_view
def instrument_detail(request, pk, template_name=DETAIL_TEMPLATE):
    """A public instrument's page; 404 for missing, retired or not-public ones. Reads from the
    read replica when there is one."""
    instrument = catalogue.instrument_get_public(pk=pk)
    similar = catalogue.similar_instruments(instrument)
    return render(
        request,
        template_name,
        {"instrument": instrument, "unit": instrument.unit, "similar": similar},
    )
