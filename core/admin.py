"""What the apps' admin screens share."""


class ReadOnlyAdminMixin:
    """An admin screen or inline to read only: nobody adds or changes rows here, because every
    change goes through a service (its rules, locks and history). Deleting is refused too, unless
    ``superuser_deletes`` lets a superuser remove rows."""

    superuser_deletes = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.superuser_deletes and request.user.is_superuser
