"""Duplicate-purchase reviews (查重评议): asking for one saves what the portal found that day."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import DomainError, PermissionDenied
from core.money import to_yuan

from ..models import DuplicateReview
from ..review import can_ask_review, review_findings


def duplicate_review_create(
    *, actor, unit, category, name: str, model: str, specifications: str, price: Decimal
) -> DuplicateReview:
    """List the region's instruments similar to the planned purchase with their use over the last
    twelve months, decide the verdict, and keep it all as the dated record of ``unit``.

    Only the bureau, or an administrator or instrument manager of the (approved) unit, may ask."""
    if not can_ask_review(actor, unit):
        raise PermissionDenied(_("You can ask for a duplicate-purchase review for your own unit only."))
    if category.parent_id is None:
        raise DomainError(
            _("Choose the subcategory (中类, a four-digit code) of the planned instrument."), field="category"
        )
    price = to_yuan(price)
    name, model, specifications = name.strip(), model.strip(), specifications.strip()
    findings = review_findings(
        unit=unit,
        category=category,
        name=name,
        model=model,
        specifications=specifications,
        price=price,
        now=timezone.now(),
    )
    review = DuplicateReview(
        unit=unit,
        category=category,
        name=name,
        model=model,
        specifications=specifications,
        price=price,
        result=findings.result,
        verdict=findings.verdict,
        created_by=actor,
    )
    review.full_clean()
    with transaction.atomic():
        review.save()
    return review
