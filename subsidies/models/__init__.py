"""Subsidy programmes, applications and their lines and evidence, provider rewards, and the ledger.

Money moves only through ``LedgerEntry`` rows (append-only); the counters on ``Programme``
(``committed``) and ``CapCounter`` (``granted``) are kept in step with it under row locks and are
guarded by check constraints, so the database itself refuses an overspent budget or cap.
"""

from .application import Application, ApplicationLine, ApplicationQuerySet, Evidence, evidence_path
from .choices import RATE_FIELD, CounterKind, Mode, SettlementCycle, TierCondition
from .ledger import COMMITTED_SIGN, DRAWN_SIGN, PAID_SIGN, AppendOnly, EntryKind, LedgerEntry
from .programme import CapCounter, Programme, ProgrammeQuerySet, TierRule
from .reward import ProviderReward
from .voucher import Voucher, VoucherDraw, VoucherRedemption

__all__ = [
    "COMMITTED_SIGN",
    "DRAWN_SIGN",
    "PAID_SIGN",
    "RATE_FIELD",
    "AppendOnly",
    "Application",
    "ApplicationLine",
    "ApplicationQuerySet",
    "CapCounter",
    "CounterKind",
    "EntryKind",
    "Evidence",
    "LedgerEntry",
    "Mode",
    "Programme",
    "ProgrammeQuerySet",
    "ProviderReward",
    "SettlementCycle",
    "TierCondition",
    "TierRule",
    "Voucher",
    "VoucherDraw",
    "VoucherRedemption",
    "evidence_path",
]
