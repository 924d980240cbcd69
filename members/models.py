"""Member units, the people in them and their roles, and the notifications they receive."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.addresses import compose_address
from core.i18n import localized_name
from core.punctuation import aside

from .messages import render_message
from .validators import validate_credit_code, validate_phone


class UserManager(BaseUserManager):
    """Users sign in with their e-mail address; there is no separate user name."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra_fields)


def language_choices():
    """The portal's languages; a callable, so settings are read when needed, not at import."""
    return settings.LANGUAGES


class User(AbstractUser):
    """A person: an enterprise user, a researcher, a unit's staff member or a bureau officer.

    ``language`` is the language of the e-mails the person receives; pages follow the language
    chosen in the browser session.
    """

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail"), unique=True)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    language = models.CharField(_("language of e-mails"), max_length=10, choices=language_choices, default="zh-hans")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["name"]
    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return f"{self.name} <{self.email}>"

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name


class District(models.Model):
    """An administrative district of the platform's city; data the operator maintains."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):  # choice lists and the admin: in the reader's language
        return self.display_name

    @property
    def display_name(self) -> str:
        """The district's name in the reader's language (English when it has one)."""
        return localized_name(self)


class UnitGroup(models.Model):
    """Related units (关联单位): units under one actual controller (实际控制人).

    Services between units of one group are never subsidised, and a group's subsidy cap counts
    all its units; only a membership the bureau has confirmed (``Unit.group_confirmed``) counts.
    The reads are ``members.selectors.related_unit_ids``, ``units_related`` and ``cap_holder_key``.
    """

    name = models.CharField(_("group name"), max_length=100, unique=True)
    controller = models.CharField(_("actual controller"), max_length=100)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("group of related units")
        verbose_name_plural = _("groups of related units")
        # A unit declares its group by name; one name, whatever its case, is one group.
        constraints = [models.UniqueConstraint(Lower("name"), name="unitgroup_unique_name_ci")]

    def __str__(self):
        return self.name


class UnitQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Unit.Status.APPROVED)

    def pending(self):
        return self.filter(status=Unit.Status.PENDING)

    def with_related(self):
        return self.select_related("district")

    def named(self, words: str):
        """Units whose name, short name or English name contains the words (as typed,
        case-insensitive)."""
        words = words.strip()
        if not words:
            return self
        return self.filter(Q(name__icontains=words) | Q(short_name__icontains=words) | Q(name_en__icontains=words))


class Unit(models.Model):
    """A member unit: a university, institute, testing centre, hospital or enterprise."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    class Type(models.TextChoices):
        UNIVERSITY = "university", _("University")
        INSTITUTE = "institute", _("Research institute")
        TESTING_CENTRE = "testing_centre", _("Testing centre")
        HOSPITAL = "hospital", _("Hospital")
        ENTERPRISE = "enterprise", _("Enterprise")
        OTHER = "other", _("Other")

    class Scale(models.TextChoices):
        LARGE = "large", _("Large")
        MEDIUM = "medium", _("Medium")
        SMALL = "small", _("Small")
        MICRO = "micro", _("Micro")

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(
        _("English name"),
        max_length=200,
        blank=True,
        help_text=_("Shown on English pages; the name is used when empty."),
    )
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        error_messages={"unique": _("A unit with this unified social credit code is already registered.")},
        validators=[validate_credit_code],
        help_text=_("18 characters, as printed on the business licence or registration certificate."),
    )
    unit_type = models.CharField(_("unit type"), max_length=20, choices=Type.choices)
    scale = models.CharField(_("enterprise scale"), max_length=10, choices=Scale.choices, blank=True)
    is_high_tech = models.BooleanField(_("high-tech enterprise"), default=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, verbose_name=_("district"))
    # The street part only: the district is the field above, the city the platform's.
    address = models.CharField(
        _("address"), max_length=200, help_text=_("Street and number only; the district is a field of its own.")
    )
    contact_person = models.CharField(_("contact person"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, validators=[validate_phone])
    email = models.EmailField(_("e-mail"))
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    group = models.ForeignKey(
        UnitGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("group of related units"),
    )
    group_confirmed = models.BooleanField(_("group membership confirmed by the bureau"), default=False)

    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.REJECTED},
        Status.REJECTED: {Status.APPROVED},
        Status.APPROVED: {Status.SUSPENDED},
        Status.SUSPENDED: {Status.APPROVED},
    }

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("member unit")
        verbose_name_plural = _("member units")
        permissions = [("decide_unit", _("Can approve, reject or suspend member units"))]
        indexes = [models.Index(fields=["status", "unit_type"])]

    def __str__(self):  # choice lists and the admin: in the reader's language
        return self.display_name

    def get_absolute_url(self):
        return reverse("members:unit_profile", args=[self.pk])

    @property
    def display_name(self) -> str:
        """The unit's name in the reader's language: the English name on English pages when the
        unit has given one, else its (Chinese) name."""
        return localized_name(self)

    @property
    def is_approved(self):
        return self.status == self.Status.APPROVED

    @property
    def display_address(self) -> str:
        """The unit's address as one line: the platform's city (``PLATFORM_CITY``, when set), the
        district and the street, each once. Reads ``district``: load it with ``with_related()``."""
        district = self.district.name if self.district_id else ""
        return compose_address((settings.PLATFORM_CITY, district), self.address)

    @property
    def confirmed_group_id(self) -> int | None:
        """The group that counts for subsidies: the bureau-confirmed one, else None."""
        return self.group_id if self.group_confirmed else None


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Membership.Status.ACTIVE)

    def pending(self):
        return self.filter(status=Membership.Status.PENDING)

    def managing(self):
        """The one home of "who manages a unit's equipment and reservations": active administrators
        and instrument managers of an approved unit. Permissions, selectors and notifications all
        ask this method."""
        return self.active().filter(role__in=Membership.MANAGING_ROLES, unit__status=Unit.Status.APPROVED)


class Membership(models.Model):
    """A person's place in a unit, with a role; a join request is a pending membership."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        MANAGER = "manager", _("Instrument manager")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting acceptance")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")

    MANAGING_ROLES = (Role.ADMIN, Role.MANAGER)
    # A declined person may ask again; an active membership ends by removal, not by a status.
    TRANSITIONS = {
        Status.PENDING: {Status.ACTIVE, Status.DECLINED},
        Status.DECLINED: {Status.PENDING},
        Status.ACTIVE: set(),
    }

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="membership_unique_user_unit")]

    def __str__(self):
        return f"{self.user} @ {self.unit}{aside(self.get_role_display())}"


class Notification(models.Model):
    """A message for one person: shown in the portal and e-mailed, each time in the reader's language.

    The row keeps the message untranslated: ``subject_msgid`` and ``body_msgid`` are the English
    sources of ``gettext_lazy`` strings, ``params`` their ``%(name)s`` values as JSON (see
    ``members.messages``: a translatable value such as a status label is stored as
    ``{"_msgid": "Approved"}``). ``subject`` and ``body`` render it in the active language, so the
    portal shows it in the language of the page and the e-mail in the recipient's ``language``.
    ``params`` is None for rows written before messages were translatable: their text is literal
    and is shown as it is.

    The row is the outbox: it is written in the same transaction as the change it reports, and
    ``sent_at`` stays empty until the mail server has accepted it, so a broker or mail outage
    delays a message but never loses it.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    subject_msgid = models.CharField(_("subject"), max_length=200)
    body_msgid = models.TextField(_("message"))
    params = models.JSONField(_("message parameters"), null=True, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    last_error = models.TextField(_("last delivery error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="notification_unsent"),
        ]

    def __str__(self):
        return self.subject

    @property
    def subject(self) -> str:
        """The subject in the active language."""
        return render_message(self.subject_msgid, self.params)

    @property
    def body(self) -> str:
        """The message in the active language."""
        return render_message(self.body_msgid, self.params)
