"""The members app's part of the pages that platform_site composes (see core/panels.py)."""

from . import selectors


def dashboard_panel(request):
    """The person's units, the join requests waiting for them and their latest notifications."""
    return (
        "members/panels/dashboard.html",
        {
            "memberships": selectors.membership_list_for_user(user=request.user),
            "pending_requests": selectors.pending_requests_for_admin(user=request.user),
            "notifications": selectors.notification_list(user=request.user)[:5],
        },
    )
