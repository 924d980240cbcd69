"""The public notice (no sign-in) and a unit's printable statement in a programme."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .. import page_selectors, selectors, voucher_selectors
from ..models import Mode

NOTICE_PAGE_SIZE = 50


def notice(request):
    """What is on public notice today: approved applications and provider rewards."""
    applications, rewards = selectors.notice_list()
    page = Paginator(applications, NOTICE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "subsidies/notice.html", {"page": page, "rewards": rewards})


@login_required
def statement(request, pk, unit_pk):
    """A unit's statement in a programme, as applicant and as provider (in a voucher programme: as
    enterprise, its vouchers and draws, and as provider, its voucher-paid services and redemptions);
    for its members and the bureau."""
    programme, unit, data = page_selectors.statement_get_for_viewer(user=request.user, programme_pk=pk, unit_pk=unit_pk)
    if programme.mode == Mode.VOUCHER:
        data.update(voucher_selectors.voucher_statement(programme=programme, unit=unit))
    return render(request, "subsidies/statement.html", {"programme": programme, "unit": unit, **data})
