"""Every write a person can make to accounts, units and memberships, one function per use case."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from core.broker import task_publish
from core.transitions import transition

from .exceptions import DomainError, InvalidTransition, PermissionDenied
from .messages import encode_params, msgid_of
from .models import Membership, Notification, Unit
from .permissions import can_decide_unit, can_manage_people, can_manage_unit

logger = logging.getLogger(__name__)
User = get_user_model()

UNIT_PROFILE_FIELDS = (
    "name",
    "short_name",
    "credit_code",
    "unit_type",
    "scale",
    "is_high_tech",
    "district",
    "address",
    "contact_person",
    "phone",
    "email",
    "website",
    "description",
)


# --- Notifications (the outbox) ---------------------------------------------------------------


def notification_send(
    *, recipients: Iterable, subject, body, params: dict | None = None, url: str = ""
) -> list[Notification]:
    """Queue a message for each recipient; it is e-mailed after the surrounding transaction commits.

    ``subject`` and ``body`` are ``gettext_lazy`` strings with ``%(name)s`` placeholders filled
    from ``params`` (a lazy value, such as a status label, is translated too). The row keeps them
    untranslated, so the portal shows the message in the reader's language and the e-mail goes
    out in the recipient's chosen language.

    The rows are written inside the caller's transaction, so a rolled-back change sends nothing
    and a committed one is never lost: if the broker is down the periodic flush sends it later.
    A broker outage costs the request one publish timeout, however many rows it queues
    (``core.broker.task_publish``).
    """
    from .tasks import notification_deliver_task

    fields = {
        "subject_msgid": msgid_of(subject),
        "body_msgid": msgid_of(body),
        "params": encode_params(params),
        "url": url,
    }
    rows = Notification.objects.bulk_create([Notification(recipient=r, **fields) for r in set(recipients)])

    def enqueue():
        for index, row in enumerate(rows):
            try:
                task_publish(notification_deliver_task, row.pk)
            except Exception:  # the broker is down: the rows stay in the outbox and the flush sends them
                left = [r.pk for r in rows[index:]]
                logger.warning("Could not enqueue notifications %s; they stay in the outbox", left, exc_info=True)
                return

    transaction.on_commit(enqueue)
    return rows


def notification_deliver(*, notification_id: int) -> bool:
    """E-mail one queued notification, in the recipient's language; idempotent, so a retried or
    duplicated task sends it once.

    Returns True if this call sent it. Raises the mail error after recording it, so the task
    can retry with backoff.
    """
    from django.core.mail import send_mail

    failure = None
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        row.attempts += 1
        with override(row.recipient.language or settings.LANGUAGE_CODE):
            subject, text = " ".join(row.subject.split()), _notification_text(row)
        try:
            send_mail(subject, text, None, [row.recipient.email])
        except Exception as exc:  # recorded on the row, committed, then raised for the retry
            row.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            failure = exc
        else:
            row.sent_at = timezone.now()
            row.last_error = ""
        row.save(update_fields=["attempts", "sent_at", "last_error"])
    if failure is not None:
        raise failure
    return True


def _notification_text(row: Notification) -> str:
    if not row.url:
        return row.body
    return f"{row.body}\n\n{row.url}"


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


# --- Accounts ---------------------------------------------------------------------------------


@transaction.atomic
def user_signup(*, email: str, password: str, name: str, phone: str = "") -> User:
    """Create an account; the person then registers a unit or asks to join one."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(_("An account with this e-mail address already exists. Log in or reset the password."))
    user = User(email=email, name=name.strip(), phone=phone.strip())
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


ACCOUNT_FIELDS = ("name", "phone", "language")


@transaction.atomic
def user_update(*, user, **fields) -> User:
    """Change one's own name, phone or the language of one's e-mails."""
    if not user.is_authenticated:
        raise PermissionDenied
    unknown = set(fields) - set(ACCOUNT_FIELDS)
    if unknown:
        raise TypeError(f"user_update() got unexpected fields: {sorted(unknown)}")
    user = User.objects.select_for_update().get(pk=user.pk)
    for name, value in fields.items():
        setattr(user, name, value.strip() if isinstance(value, str) else value)
    user.full_clean()
    user.save(update_fields=list(fields))
    return user


# --- Units ------------------------------------------------------------------------------------


@transaction.atomic
def unit_register(*, user, **fields) -> Unit:
    """Register a new member unit; it waits for the bureau, and the registrant becomes its admin."""
    if not user.is_authenticated:
        raise PermissionDenied
    unknown = set(fields) - set(UNIT_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unit_register() got unexpected fields: {sorted(unknown)}")
    fields["credit_code"] = fields["credit_code"].strip().upper()
    unit = Unit(**fields, status=Unit.Status.PENDING)
    unit._change_reason = "registered"
    unit.full_clean()
    unit.save()
    Membership.objects.create(user=user, unit=unit, role=Membership.Role.ADMIN, status=Membership.Status.ACTIVE)
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, **fields) -> Unit:
    """Edit a unit's profile. The credit code is fixed once the bureau has approved the unit."""
    if not can_manage_unit(actor, unit):
        raise PermissionDenied
    unknown = set(fields) - set(UNIT_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unit_update() got unexpected fields: {sorted(unknown)}")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if "credit_code" in fields:
        fields["credit_code"] = fields["credit_code"].strip().upper()
        if unit.status != Unit.Status.PENDING and fields["credit_code"] != unit.credit_code:
            raise DomainError(_("The credit code of a reviewed unit cannot be changed; ask the bureau."))
    for name, value in fields.items():
        setattr(unit, name, value)
    unit.full_clean()
    unit.save()
    return unit


def _unit_transition(*, actor, unit: Unit, to: str, reason: str = "") -> Unit:
    """The bureau's decision on a unit, through the one transition helper; the admins are told."""
    if not can_decide_unit(actor):
        raise PermissionDenied
    locked = Unit.objects.select_for_update().get(pk=unit.pk)
    transition(
        locked,
        to=to,
        actor=actor,
        reason=reason,
        decision_reason=reason,
        decided_at=timezone.now(),
        decided_by=actor,
    )
    _notify_unit_decision(locked)
    return locked


def _notify_unit_decision(unit: Unit) -> None:
    admins = User.objects.filter(
        memberships__unit=unit,
        memberships__role=Membership.Role.ADMIN,
        memberships__status=Membership.Status.ACTIVE,
    )
    if unit.decision_reason:
        body = gettext_lazy("Your member unit “%(unit)s” is now %(status)s. Reason: %(reason)s")
    else:
        body = gettext_lazy("Your member unit “%(unit)s” is now %(status)s.")
    notification_send(
        recipients=admins,
        subject=gettext_lazy("Your member unit “%(unit)s” is now %(status)s"),
        body=body,
        params={"unit": unit.name, "status": Unit.Status(unit.status).label, "reason": unit.decision_reason},
        url=unit.get_absolute_url(),
    )


@transaction.atomic
def unit_approve(*, actor, unit: Unit) -> Unit:
    """Admit a unit to the platform (also lifts a suspension or reverses a rejection)."""
    return _unit_transition(actor=actor, unit=unit, to=Unit.Status.APPROVED)


@transaction.atomic
def unit_reject(*, actor, unit: Unit, reason: str) -> Unit:
    """Refuse a unit's registration; the reason is shown to the applicant."""
    if not reason.strip():
        raise DomainError(_("Give the applicant a reason for the rejection."))
    return _unit_transition(actor=actor, unit=unit, to=Unit.Status.REJECTED, reason=reason.strip())


@transaction.atomic
def unit_suspend(*, actor, unit: Unit, reason: str) -> Unit:
    """Suspend an approved unit; its people can no longer act for it."""
    if not reason.strip():
        raise DomainError(_("Give the unit a reason for the suspension."))
    return _unit_transition(actor=actor, unit=unit, to=Unit.Status.SUSPENDED, reason=reason.strip())


# --- Memberships ------------------------------------------------------------------------------


@transaction.atomic
def membership_request(*, user, unit: Unit) -> Membership:
    """Ask to join a unit (again, after a refusal); its administrators accept or decline."""
    if not user.is_authenticated:
        raise PermissionDenied
    if unit.status != Unit.Status.APPROVED:
        raise DomainError(_("Only approved units accept new members."))
    existing = Membership.objects.select_for_update().filter(user=user, unit=unit).first()
    if existing and existing.status != Membership.Status.DECLINED:
        raise DomainError(_("You already belong to this unit or have asked to join it."))
    if existing:
        transition(existing, to=Membership.Status.PENDING, actor=user, role=Membership.Role.MEMBER)
        membership = existing
    else:
        membership = Membership.objects.create(user=user, unit=unit)
    admins = User.objects.filter(
        memberships__unit=unit, memberships__role=Membership.Role.ADMIN, memberships__status=Membership.Status.ACTIVE
    )
    notification_send(
        recipients=admins,
        subject=gettext_lazy("%(name)s asks to join %(unit)s"),
        body=gettext_lazy("%(name)s (%(email)s) asks to join your unit. Accept or decline on the people page."),
        params={"name": user.name, "unit": unit.name, "email": user.email},
        url=f"/units/{unit.pk}/people/",
    )
    return membership


def _membership_for_admin(*, actor, membership: Membership) -> Membership:
    locked = Membership.objects.select_for_update().select_related("unit", "user").get(pk=membership.pk)
    if not can_manage_people(actor, locked.unit):
        raise PermissionDenied
    return locked


@transaction.atomic
def membership_accept(*, actor, membership: Membership, role: str = Membership.Role.MEMBER) -> Membership:
    """Accept a join request with the given role."""
    m = _membership_for_admin(actor=actor, membership=membership)
    transition(m, to=Membership.Status.ACTIVE, actor=actor, role=Membership.Role(role))
    notification_send(
        recipients=[m.user],
        subject=gettext_lazy("You have joined %(unit)s"),
        body=gettext_lazy("Your request to join %(unit)s was accepted; your role is %(role)s."),
        params={"unit": m.unit.name, "role": Membership.Role(m.role).label},
        url=m.unit.get_absolute_url(),
    )
    return m


@transaction.atomic
def membership_decline(*, actor, membership: Membership) -> Membership:
    """Decline a join request."""
    m = _membership_for_admin(actor=actor, membership=membership)
    transition(m, to=Membership.Status.DECLINED, actor=actor)
    notification_send(
        recipients=[m.user],
        subject=gettext_lazy("Your request to join %(unit)s was declined"),
        body=gettext_lazy("The administrators of %(unit)s declined your request."),
        params={"unit": m.unit.name},
    )
    return m


def _ensure_another_admin(m: Membership) -> None:
    others = (
        Membership.objects.active().select_for_update().filter(unit=m.unit, role=Membership.Role.ADMIN).exclude(pk=m.pk)
    )
    if not others.exists():
        raise DomainError(_("A unit needs at least one administrator: appoint another one first."))


@transaction.atomic
def membership_set_role(*, actor, membership: Membership, role: str) -> Membership:
    """Change an active member's role; the last administrator cannot be demoted."""
    m = _membership_for_admin(actor=actor, membership=membership)
    if m.status != Membership.Status.ACTIVE:
        raise InvalidTransition(_("Only an active member's role can be changed."))
    role = Membership.Role(role)
    if m.role == Membership.Role.ADMIN and role != Membership.Role.ADMIN:
        _ensure_another_admin(m)
    m.role = role
    m._history_user = actor
    m.save()
    return m


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    """Remove a person from the unit; the last administrator cannot be removed."""
    m = _membership_for_admin(actor=actor, membership=membership)
    if m.status == Membership.Status.ACTIVE and m.role == Membership.Role.ADMIN:
        _ensure_another_admin(m)
    m._history_user = actor
    m.delete()
