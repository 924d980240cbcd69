"""The subsidies part of the REST API: programmes (public), applications and provider rewards.

Views call the subsidies services; the API's exception handler (``platform_site.api_errors``) gives
every error one body. A service's ``PermissionDenied`` answers 404 like a missing object, so an
answer never tells whether someone else's application exists; ``InvalidTransition`` and ``Conflict``
(a budget or cap that a decision would break, named with the amount) answer 409; any other domain
error 400 beside its field. Provider confirmation is on the application:
``POST /subsidy-applications/{id}/lines/{line_id}/confirm/`` (and ``…/dispute/``). Vouchers
(``/vouchers/``) and their providers' redemptions (``/voucher-redemptions/``) follow the same rules.
"""

from .applications import ApplicationViewSet
from .programmes import ProgrammeViewSet
from .redemptions import VoucherRedemptionViewSet
from .rewards import ProviderRewardViewSet
from .vouchers import VoucherViewSet


def register(router, **options):
    """Add this app's viewsets to the /api/v1/ router (it takes no options)."""
    router.register("subsidy-programmes", ProgrammeViewSet, basename="subsidy-programme")
    router.register("subsidy-applications", ApplicationViewSet, basename="subsidy-application")
    router.register("provider-rewards", ProviderRewardViewSet, basename="provider-reward")
    router.register("vouchers", VoucherViewSet, basename="voucher")
    router.register("voucher-redemptions", VoucherRedemptionViewSet, basename="voucher-redemption")


__all__ = [
    "ApplicationViewSet",
    "ProgrammeViewSet",
    "ProviderRewardViewSet",
    "VoucherRedemptionViewSet",
    "VoucherViewSet",
    "register",
]
