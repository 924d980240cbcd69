"""Duplicate-purchase review pages: the form with the viewer's past reviews, and one review's
dated, printable record."""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.exceptions import DomainError
from instruments.models import Instrument

from .. import review as selectors
from ..forms_review import DuplicateReviewForm
from ..services import duplicate_review_create

PAGE_SIZE = 20


@login_required
def review_new(request):
    """The form (the unit preselected when the user manages one) and the reviews the user may read."""
    if not selectors.can_ask_review(request.user):
        raise Http404
    units = selectors.review_units_for_user(request.user)
    initial = {}
    own = selectors.review_unit_ids(request.user)
    if own:
        initial["unit"] = own[0]
    form = DuplicateReviewForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            review = duplicate_review_create(actor=request.user, **form.cleaned_data)
        except PermissionDenied as err:
            raise Http404 from err
        except DomainError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            messages.success(request, _("The review is saved: this is its dated record."))
            return redirect(review)
    page = Paginator(selectors.duplicate_review_list_for_viewer(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    labels = selectors.VERDICT_LABELS
    reviews = [(review, labels.get(review.verdict, review.verdict)) for review in page.object_list]
    context = {"form": form, "page": page, "reviews": reviews}
    return render(request, "reports/review_new.html", context)


@login_required
def review_detail(request, pk):
    """The record as it was on the day it was asked: what was planned, the list, the verdict."""
    review = selectors.duplicate_review_get_for_viewer(user=request.user, pk=pk)
    sharing = dict(Instrument.SharingMode.choices)
    status = dict(Instrument.OperatingStatus.choices)
    rows = [
        {
            **row,
            "sharing_label": sharing.get(row["sharing_mode"], row["sharing_mode"]),
            "status_label": status.get(row["operating_status"], row["operating_status"]),
            "utilisation_text": _percent(row["utilisation"]),
        }
        for row in review.result.get("instruments", [])
    ]
    first, last = review.result.get("period", ["", ""])
    context = {
        "review": review,
        "rows": rows,
        "result": review.result,
        "period_first": first,
        "period_last": last,
        "underuse_line": f"{Decimal(review.result.get('underuse_hours') or 0):,.0f}",
        "verdict_label": selectors.VERDICT_LABELS.get(review.verdict, review.verdict),
        "verdict_sentence": selectors.verdict_sentence(review),
    }
    return render(request, "reports/review_detail.html", context)


def _percent(rate: str | None) -> str:
    """A stored rate ("0.1234") as people read it ("12.3%"); "—" when there is none."""
    if rate is None:
        return "—"
    return f"{(Decimal(rate) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
