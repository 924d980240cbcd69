"""The bureau's screens for subsidies: programmes (from presets), the review queue of applications,
provider rewards, innovation vouchers and their redemptions, and the ledger and cap counters to
read. Admin actions and buttons call the services; a refused decision shows the service's own
message."""

from .applications import AmountBandFilter, ApplicationAdmin
from .ledger import CapCounterAdmin, LedgerEntryAdmin
from .programmes import ProgrammeAdmin, ProgrammeForm
from .redemptions import VoucherRedemptionAdmin
from .rewards import ProviderRewardAdmin
from .vouchers import VoucherAdmin

__all__ = [
    "AmountBandFilter",
    "ApplicationAdmin",
    "CapCounterAdmin",
    "LedgerEntryAdmin",
    "ProgrammeAdmin",
    "ProgrammeForm",
    "ProviderRewardAdmin",
    "VoucherAdmin",
    "VoucherRedemptionAdmin",
]
