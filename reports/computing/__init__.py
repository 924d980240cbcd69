"""The computation of each report kind: ``COMPUTE[kind](ctx)`` fills a ``RunContext``."""

from importlib import import_module

from ..models import ReportKind

_MODULES = {
    ReportKind.UTILISATION: "utilisation",
    ReportKind.IDLE: "idle",
    ReportKind.EVALUATION: "evaluation",
    ReportKind.PLATFORM: "platform",
    ReportKind.SUBSIDIES: "subsidy_accounts",
    ReportKind.DATA_PACK: "data_pack",
}


def compute_function(kind: str):
    return import_module(f"{__name__}.{_MODULES[kind]}").compute
