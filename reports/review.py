"""Duplicate-purchase review (查重评议): the similar instruments of the region, their use, the verdict,
and who may ask for and read a review.

Similar means: active instruments of approved units in the same 大类 (the first two digits of the
class code) as the planned purchase, the same 中类 first; within each, ranked by how much of what
was entered the instrument's record shares: the model's alphanumeric core ("JEM-2100F" finds
"JEM2100"), then the words of the name, model and key specifications (the Han bigrams of Chinese
text, since Chinese has no spaces) found in the instrument's search document. The ranking is one
query with integer scores, so SQLite and PostgreSQL give the same order; instruments of another
中类 are listed only when they share something with what was entered.

Use comes from the reports' own aggregates (``computing.usage.instrument_use``) over the twelve
months ending today; the free hours of the next thirty days from the opening hours minus the holds
(bookings and outages). The whole review costs a fixed number of queries, whatever it lists.
"""

import datetime as dt
import re
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Lower, Replace
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings.selectors import open_and_free
from instruments.models import Instrument
from instruments.search import HAN_CLASS, normalise, token_grams
from members.models import Membership, Unit

from .computing.base import dec, num, ratio
from .computing.usage import active_fraction, instrument_use
from .models import DuplicateReview, PeriodKind, ReportSettings
from .periods import Period
from .permissions import is_bureau
from .scope import Scope

LIMIT = 20
FREE_DAYS = 30
MAX_TERMS = 40
MIN_CORE = 3
# A match of the model's core outweighs any number of shared words.
MODEL_WEIGHT = 100
WORD_SPLIT = re.compile(r"[\s,;:，；：、。/()（）\[\]【】]+")
MODEL_JUNK = ("-", " ", "/", "_", ".")


class Verdict:
    JUSTIFIED = "justified"
    REVIEW = "review"
    NOT_JUSTIFIED = "not_justified"


# --- Who may ask and read -------------------------------------------------------------------------


def review_unit_ids(user) -> list[int]:
    """The approved units the user may ask a review for: those whose administrator or instrument
    manager the user is."""
    if not (user and user.is_authenticated):
        return []
    return list(Membership.objects.managing().filter(user=user).values_list("unit_id", flat=True))


def review_units_for_user(user):
    """Units offered in the form: all approved units for the bureau, else the user's own."""
    units = Unit.objects.filter(status=Unit.Status.APPROVED).order_by("name")
    return units if is_bureau(user) else units.filter(pk__in=review_unit_ids(user))


def can_ask_review(user, unit=None) -> bool:
    """Bureau staff for any approved unit; a unit's administrators and managers for their unit."""
    if unit is not None and unit.status != Unit.Status.APPROVED:
        return False
    if is_bureau(user):
        return True
    ids = review_unit_ids(user)
    return bool(ids) if unit is None else unit.pk in ids


def duplicate_review_list_for_viewer(*, user):
    """The reviews the user may read, newest first: all for the bureau, else the user's units'."""
    reviews = DuplicateReview.objects.select_related("unit", "category", "created_by")
    if is_bureau(user):
        return reviews
    return reviews.filter(unit_id__in=review_unit_ids(user))


def duplicate_review_get_for_viewer(*, user, pk) -> DuplicateReview:
    """One review the user may read; the same 404 whether it is missing or another unit's."""
    review = duplicate_review_list_for_viewer(user=user).filter(pk=pk).first()
    if review is None:
        raise Http404
    return review


# --- What was entered, as search terms ------------------------------------------------------------


def model_core(model: str) -> str:
    """The alphanumeric core of a model: "JEM-2100F" → "jem2100" (letters and digits up to the
    last digit, so a variant letter at the end does not hide the family); "" when too short."""
    text = re.sub(r"[^0-9a-z]", "", normalise(model))
    match = re.match(r"^(.*\d)", text)
    core = match.group(1) if match else text
    return core if len(core) >= MIN_CORE else ""


def search_terms(*, name: str, model: str, specifications: str) -> list[str]:
    """Distinct normalised terms: the Han bigrams of the Chinese text (single characters of a
    one-character run) and the Latin words and numbers of two or more characters."""
    terms: list[str] = []

    def add(term):
        if term not in terms and len(terms) < MAX_TERMS:
            terms.append(term)

    for text in (name, model, specifications):
        normal = normalise(text)
        for gram in sorted(token_grams(normal)):
            add(gram)
        for word in WORD_SPLIT.split(re.sub(f"[{HAN_CLASS}]+", " ", normal)):
            if len(word) >= 2:
                add(word)
    return terms


def _model_key():
    expression = Lower(F("model"))
    for junk in MODEL_JUNK:
        expression = Replace(expression, Value(junk), Value(""))
    return expression


def _score(terms: list[str], core: str):
    score = Value(0)
    if core:
        score = score + Case(
            When(model_key__contains=core, then=Value(MODEL_WEIGHT)), default=Value(0), output_field=IntegerField()
        )
    for term in terms:
        score = score + Case(
            When(search_document__contains=term, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    return score


# --- The review -----------------------------------------------------------------------------------


def last_twelve_months(today: dt.date) -> Period:
    """The twelve months ending with today (today included)."""
    end = today + timedelta(days=1)
    try:
        start = end.replace(year=end.year - 1)
    except ValueError:  # 29 February
        start = end.replace(year=end.year - 1, day=28)
    return Period(PeriodKind.CUSTOM, start, end)


def similar_instruments(*, category, name: str, model: str, specifications: str, limit: int = LIMIT):
    """The ``limit`` most similar active instruments of approved units (values rows with
    ``same_subcategory`` and ``score``), the same 中类 first, then by score, then the oldest record."""
    terms = search_terms(name=name, model=model, specifications=specifications)
    core = model_core(model)
    same = Q(category__code__startswith=category.code)
    return list(
        Instrument.objects.active()
        .filter(unit__status=Unit.Status.APPROVED, category__code__startswith=category.code[:2])
        .annotate(
            model_key=_model_key(),
            same_subcategory=Case(When(same, then=Value(1)), default=Value(0), output_field=IntegerField()),
        )
        .annotate(score=_score(terms, core))
        .filter(same | Q(score__gt=0))
        .order_by("-same_subcategory", "-score", "pk")
        .values("pk", "same_subcategory", "score")[:limit]
    )


def free_hours(instrument_ids: list[int], *, start: dt.datetime, end: dt.datetime) -> dict:
    """{id: (open hours, free hours)} in [start, end) (``bookings.selectors.open_and_free``)."""
    return {
        pk: (_hours(periods), _hours(free))
        for pk, (periods, free) in open_and_free(instrument_ids, start=start, end=end).items()
    }


def _hours(intervals) -> str:
    seconds = sum(int((b - a).total_seconds()) for a, b in intervals)
    return num(dec(seconds) / 3600)


@dataclass(frozen=True)
class Findings:
    verdict: str
    result: dict


def is_bookable_for(row: dict, unit_id: int) -> bool:
    """Could the asking unit use it: shared externally, or internally within the same unit, and
    in an operating state that takes bookings."""
    if row["operating_status"] not in Instrument.BOOKABLE_STATUSES:
        return False
    mode = row["sharing_mode"]
    return mode == Instrument.SharingMode.EXTERNAL or (
        mode == Instrument.SharingMode.INTERNAL and row["unit_id"] == unit_id
    )


def review_findings(*, unit, category, name, model, specifications, price, now: dt.datetime) -> Findings:
    """What the review lists and decides, as plain data for ``DuplicateReview.result``."""
    settings = ReportSettings.current()
    today = timezone.localtime(now).date()
    period = last_twelve_months(today)
    ranked = similar_instruments(category=category, name=name, model=model, specifications=specifications)
    ids = [row["pk"] for row in ranked]
    uses = {row["pk"]: row for row in instrument_use(period, Scope(), extra_filter=Q(pk__in=ids))}
    availability = free_hours(ids, start=now, end=now + timedelta(days=FREE_DAYS))
    listed = [
        _listed(rank, uses[rank["pk"]], availability[rank["pk"]], period, settings, unit.pk)
        for rank in ranked
        if rank["pk"] in uses
    ]
    verdict = _verdict(listed)
    return Findings(
        verdict,
        {
            "period": [period.start.isoformat(), period.last_day.isoformat()],
            "benchmark_hours": num(settings.benchmark_hours),
            "underuse_hours": num(settings.underuse_hours),
            "review_value": num(settings.purchase_review_value),
            "review_required": dec(price) >= settings.purchase_review_value,
            "free_days": FREE_DAYS,
            "instruments": listed,
            "counts": {
                "similar": len(listed),
                "same_subcategory": sum(1 for r in listed if r["same_subcategory"]),
                "under_used_bookable": sum(1 for r in listed if r["same_subcategory"] and r["blocks"]),
                "under_used": sum(1 for r in listed if r["under_used"]),
            },
        },
    )


def _listed(rank, use, availability, period, settings, unit_id) -> dict:
    fraction = period.year_fraction() * active_fraction(use, period)
    benchmark = settings.benchmark_hours * fraction
    line = dec(num(settings.underuse_hours * fraction))  # to the hundredth, as shown and compared
    effective = dec(use["effective"])
    under_used = effective < line
    bookable = is_bookable_for(use, unit_id)
    return {
        "id": use["pk"],
        "name": use["name"],
        "model": use["model"],
        "unit": use["unit__name"],
        "category": f"{use['category__code']} {use['category__name']}",
        "same_subcategory": bool(rank["same_subcategory"]),
        "original_value": num(use["original_value"]),
        "effective_hours": num(effective),
        "external_hours": num(dec(use["external"])),
        "utilisation": ratio(effective, benchmark),
        "underuse_line": num(line),
        "under_used": under_used,
        "open_hours": availability[0],
        "free_hours": availability[1],
        "sharing_mode": use["sharing_mode"],
        "operating_status": use["operating_status"],
        "bookable": bookable,
        "blocks": under_used and bookable,
    }


def _verdict(listed: list[dict]) -> str:
    if not listed:
        return Verdict.JUSTIFIED
    if any(row["same_subcategory"] and row["blocks"] for row in listed):
        return Verdict.NOT_JUSTIFIED
    return Verdict.REVIEW


def verdict_sentence(review: DuplicateReview) -> str:
    """The verdict in one sentence with its reason and the under-use line (财科教〔2019〕1号)."""
    result = review.result or {}
    counts = result.get("counts", {})
    line = f"{dec(result.get('underuse_hours')):,.0f}"
    values = {
        "line": line,
        "count": counts.get("similar", 0),
        "blocking": counts.get("under_used_bookable", 0),
    }
    if review.verdict == Verdict.NOT_JUSTIFIED:
        return (
            _(
                "Not justified: %(blocking)s similar instrument(s) of the same class in the region worked fewer than "
                "%(line)s hours in the last twelve months and can be booked; by 财科教〔2019〕1号 an instrument "
                "under the %(line)s-hour line is to be shared before the same kind is bought again."
            )
            % values
        )
    if review.verdict == Verdict.REVIEW:
        return (
            _(
                "To be reviewed: %(count)s similar instrument(s) exist in the region, but none of the same class is "
                "both under the %(line)s-hour line of 财科教〔2019〕1号 over the last twelve months and bookable; "
                "the purchase needs the reviewers' judgement whether they can meet the need."
            )
            % values
        )
    return (
        _(
            "Justified: no similar instrument is registered in the region, so the purchase duplicates none "
            "(the %(line)s-hour under-use line of 财科教〔2019〕1号 does not apply)."
        )
        % values
    )


VERDICT_LABELS = {
    Verdict.JUSTIFIED: gettext_lazy("Justified"),
    Verdict.REVIEW: gettext_lazy("To be reviewed"),
    Verdict.NOT_JUSTIFIED: gettext_lazy("Not justified"),
}
