"""The one way any model changes status: ``transition(obj, to=…, actor=…, reason=…)``.

Each model with a state machine declares ``TRANSITIONS``, a map from a status to the statuses it
may become (``{"requested": {"approved", "rejected"}, …}``), on a field named ``status``. The
helper locks the row (``SELECT … FOR UPDATE``), reads the status as it is now in the database,
refuses a step the map does not allow with ``InvalidTransition``, and saves the new status with
the actor and the reason on the object, so django-simple-history writes the history row (who,
when, from what, why). Call it inside the service's transaction.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exceptions import InvalidTransition

# django-simple-history keeps the change reason in a varchar(100); the full reason stays on the
# model's own field (decision_reason …) where one exists.
HISTORY_REASON_LENGTH = 100


def allowed_targets(model, status) -> set:
    """The statuses a row of ``model`` in ``status`` may become."""
    return set(model.TRANSITIONS.get(status, ()))


def history_reason(to: str, reason: str = "") -> str:
    """The change reason kept in the history table: ``to`` and the reason, cut to its column."""
    text = f"{to}: {reason}" if reason else str(to)
    if len(text) > HISTORY_REASON_LENGTH:
        text = text[: HISTORY_REASON_LENGTH - 1] + "…"
    return text


# The words services write as a history row's change reason. The row keeps the word itself (a
# stable key, whatever the writer's language), and ``history_note`` shows it in the reader's
# language; the text after ": " is a person's own reason and is shown as written.
HISTORY_WORDS = {
    "registered": gettext_lazy("Registered"),
    "created": gettext_lazy("Created"),
    "changed": gettext_lazy("Changed"),
    "edited": gettext_lazy("Edited"),
    "requested": gettext_lazy("Request submitted"),
    "confirmed": gettext_lazy("Confirmed"),
    "disputed": gettext_lazy("Disputed"),
    "rated": gettext_lazy("Rated"),
    "paid": gettext_lazy("Payment recorded"),
    "recomputed": gettext_lazy("Recomputed"),
    "amount corrected": gettext_lazy("Amount corrected"),
    "charge corrected": gettext_lazy("Charge corrected"),
    "charge corrected after expiry": gettext_lazy("Charge corrected after expiry"),
    "declared": gettext_lazy("Declared"),
    "group declared": gettext_lazy("Group declared"),
    "group confirmed": gettext_lazy("Group confirmed"),
    "group removed": gettext_lazy("Group removed"),
    "demo data": gettext_lazy("Demo data"),
}


def history_note(model, text: str | None) -> str:
    """A stored change reason in the reader's language: "rejected: 材料不全" reads "已驳回：材料不全"
    in Chinese and "Rejected: 材料不全" in English. The head is a status of ``model`` (written by
    ``transition``) or one of ``HISTORY_WORDS``; anything else is shown as stored. The text after
    the head goes through the model's ``reason_note`` when it has one."""
    if not text:
        return ""
    head, sep, rest = text.partition(": ")
    statuses = {}
    if model is not None:
        try:
            statuses = dict(model._meta.get_field("status").flatchoices)
        except FieldDoesNotExist:  # a model without a status has only the shared words
            statuses = {}
    label = statuses.get(head) or HISTORY_WORDS.get(head)
    if label is None:
        return text
    if not sep:
        return str(label)
    # A model whose services store their own notes as keys says how to show them.
    rest = getattr(model, "reason_note", str)(rest)
    return _("%(what)s: %(reason)s") % {"what": label, "reason": rest}


def status_label(model, status) -> str:
    """The display label of ``status`` of ``model``'s status field."""
    return str(dict(model._meta.get_field("status").flatchoices).get(status, status))


def transition(obj, *, to, actor=None, reason: str = "", **changes):
    """Move ``obj`` to status ``to`` and save it with ``changes`` (other fields set in the same
    save). Returns the status it had before. Raises ``InvalidTransition`` for a step that the
    model's ``TRANSITIONS`` map does not allow from the status now stored in the database.
    """
    model = type(obj)
    with transaction.atomic():
        current = model._default_manager.select_for_update().filter(pk=obj.pk).values_list("status", flat=True).get()
        if to not in allowed_targets(model, current):
            raise InvalidTransition(
                _("A %(kind)s that is %(current)s cannot become %(target)s.")
                % {
                    "kind": model._meta.verbose_name,
                    "current": status_label(model, current),
                    "target": status_label(model, to),
                }
            )
        obj.status = to
        for name, value in changes.items():
            setattr(obj, name, value)
        obj._history_user = actor
        obj._change_reason = history_reason(to, reason)
        obj.save()
    return current
