"""The public notice (no sign-in) and a unit's printable statement in a programme."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .. import page_selectors, selectors

NOTICE_PAGE_SIZE = 50


def notice(request):
    """What is on public notice today: approved applications and provider rewards."""
    applications, rewards = selectors.notice_list()
    page = Paginator(applications, NOTICE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "subsidies/notice.html", {"page": page, "rewards": rewards})


@login_required
def statement(request, pk, unit_pk):
    """A unit's statement in a programme, as applicant and as provider; for its members and the bureau."""
    programme, unit, data = page_selectors.statement_get_for_viewer(user=request.user, programme_pk=pk, unit_pk=unit_pk)
    return render(request, "subsidies/statement.html", {"programme": programme, "unit": unit, **data})
