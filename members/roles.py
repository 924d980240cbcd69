"""The bureau staff group and the admin permissions it holds (and no more)."""

from django.contrib.auth.models import Group, Permission

BUREAU_GROUP = "bureau_staff"

# Bureau officers review units and read the registry; they do not delete units or manage
# accounts, which stays with superusers. Later apps append their own entries here.
BUREAU_PERMISSIONS = [
    ("members", "view_unit"),
    ("members", "change_unit"),
    ("members", "decide_unit"),
    ("members", "view_membership"),
    ("members", "view_user"),
    ("members", "view_district"),
    ("members", "add_district"),
    ("members", "change_district"),
    # Login lockouts (django-axes): see who was locked out and unlock by deleting the attempt.
    ("axes", "view_accessattempt"),
    ("axes", "delete_accessattempt"),
    ("axes", "view_accesslog"),
    ("axes", "view_accessfailurelog"),
    ("instruments", "view_instrument"),
    ("instruments", "view_feeitem"),
    ("instruments", "view_openinghours"),
    ("instruments", "view_photo"),
    ("instruments", "view_category"),
    ("instruments", "add_category"),
    ("instruments", "change_category"),
    ("instruments", "view_importjob"),
    ("bookings", "view_booking"),
    ("bookings", "view_bookingevent"),
    ("bookings", "view_outage"),
    ("bookings", "view_servicerecord"),
    ("bookings", "view_servicerecordimport"),
]


def ensure_bureau_group(**kwargs):
    """Create the bureau group and give it exactly BUREAU_PERMISSIONS; safe to run repeatedly."""
    group, _ = Group.objects.get_or_create(name=BUREAU_GROUP)
    wanted = []
    for app_label, codename in BUREAU_PERMISSIONS:
        perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if perm is not None:
            wanted.append(perm)
    group.permissions.set(wanted)
    return group
