"""Who sees which vouchers and voucher redemptions through the API: the one way in.

A voucher is seen by the active members of its enterprise and by bureau staff; a redemption by the
managers of its provider unit (who claim it) and by bureau staff. Everyone else gets the same 404
for missing and not yours, and empty lists. The viewer is ``access.Viewer``, read once per request.
"""

from django.db.models import Prefetch
from django.http import Http404

from ..models import Voucher, VoucherDraw, VoucherRedemption
from .access import Viewer, valid_id


def _draws(*related):
    return VoucherDraw.objects.select_related(
        "service_record", "service_record__instrument", "service_record__instrument__unit", *related
    ).order_by("service_record__started_at", "pk")


def voucher_list_visible(*, viewer: Viewer):
    """The vouchers ``viewer`` may see, with their draws and what each draw names prefetched: a
    fixed number of queries however many there are."""
    vouchers = Voucher.objects.select_related("programme", "unit", "unit__district").prefetch_related(
        Prefetch("draws", queryset=_draws())
    )
    if viewer.bureau:
        return vouchers
    return vouchers.filter(unit_id__in=viewer.member_unit_ids)


def voucher_get_visible(*, viewer: Viewer, pk) -> Voucher:
    voucher = voucher_list_visible(viewer=viewer).filter(pk=valid_id(pk)).first()
    if voucher is None:
        raise Http404
    return voucher


def redemption_list_visible(*, viewer: Viewer):
    """The redemptions ``viewer`` may see, with their draws (each with its voucher and enterprise)."""
    redemptions = VoucherRedemption.objects.select_related(
        "programme", "provider", "provider__district"
    ).prefetch_related(Prefetch("draws", queryset=_draws("voucher", "voucher__programme", "voucher__unit")))
    if viewer.bureau:
        return redemptions
    return redemptions.filter(provider_id__in=viewer.managed_unit_ids)


def redemption_get_visible(*, viewer: Viewer, pk) -> VoucherRedemption:
    redemption = redemption_list_visible(viewer=viewer).filter(pk=valid_id(pk)).first()
    if redemption is None:
        raise Http404
    return redemption
