"""Every write of the subsidies app: programmes, applications, evidence, rewards and the ledger."""

from .applications import (
    application_create,
    application_set_lines,
    application_submit,
    application_update,
    application_withdraw,
    line_confirm,
    line_dispute,
)
from .evidence import evidence_add, evidence_remove
from .ledger import ledger_check, ledger_totals
from .programmes import committed_problems, programme_create, programme_update, sync_counter_caps
from .review import (
    application_approve,
    application_claw_back,
    application_pay,
    application_publicise,
    application_reduce,
    application_reject,
    application_return,
    application_start_review,
)
from .rewards import (
    provider_rewards_compute,
    reward_approve,
    reward_claw_back,
    reward_pay,
    reward_publicise,
    reward_reject,
)

__all__ = [
    "application_approve",
    "application_claw_back",
    "application_create",
    "application_pay",
    "application_publicise",
    "application_reduce",
    "application_reject",
    "application_return",
    "application_set_lines",
    "application_start_review",
    "application_submit",
    "application_update",
    "application_withdraw",
    "committed_problems",
    "evidence_add",
    "evidence_remove",
    "ledger_check",
    "ledger_totals",
    "line_confirm",
    "line_dispute",
    "programme_create",
    "programme_update",
    "provider_rewards_compute",
    "reward_approve",
    "reward_claw_back",
    "reward_pay",
    "reward_publicise",
    "reward_reject",
    "sync_counter_caps",
]
