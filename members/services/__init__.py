"""Every write a person can make to accounts, units, their groups and memberships (re-exported here)."""

from .accounts import ACCOUNT_FIELDS, user_signup, user_update
from .groups import unit_group_confirm, unit_group_declare, unit_group_remove
from .memberships import (
    membership_accept,
    membership_decline,
    membership_remove,
    membership_request,
    membership_set_role,
)
from .notifications import notification_deliver, notification_mark_read, notification_send
from .units import UNIT_PROFILE_FIELDS, unit_approve, unit_register, unit_reject, unit_suspend, unit_update

__all__ = [
    "ACCOUNT_FIELDS",
    "UNIT_PROFILE_FIELDS",
    "membership_accept",
    "membership_decline",
    "membership_remove",
    "membership_request",
    "membership_set_role",
    "notification_deliver",
    "notification_mark_read",
    "notification_send",
    "unit_approve",
    "unit_group_confirm",
    "unit_group_declare",
    "unit_group_remove",
    "unit_register",
    "unit_reject",
    "unit_suspend",
    "unit_update",
    "user_signup",
    "user_update",
]
