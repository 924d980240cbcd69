"""The bureau staff group and the admin permissions members gives it (and no more)."""

BUREAU_GROUP = "bureau_staff"

# Bureau officers review units and read the registry; they do not delete units or manage
# accounts, which stays with superusers. Every app declares its own share in its AppConfig
# (``bureau_permissions``); this is the members app's.
BUREAU_PERMISSIONS = [
    ("members", "view_unit"),
    ("members", "change_unit"),
    ("members", "decide_unit"),
    ("members", "view_membership"),
    ("members", "view_user"),
    ("members", "view_district"),
    ("members", "add_district"),
    ("members", "change_district"),
    ("members", "view_unitgroup"),
    ("members", "add_unitgroup"),
    ("members", "change_unitgroup"),
]


def ensure_bureau_group(*, permissions=None, **kwargs):
    """Create the bureau group if it is missing; given ``permissions`` (``(app_label, codename)``
    pairs), give it exactly those that exist. Safe to run repeatedly.

    ``platform_site.extensions.ensure_bureau_group`` passes every installed app's share."""
    # Imported here: apps.py reads BUREAU_PERMISSIONS before the app registry is ready.
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=BUREAU_GROUP)
    if permissions is not None:
        wanted = []
        for app_label, codename in permissions:
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)
    return group
