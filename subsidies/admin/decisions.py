"""Decisions in the admin, one by one and in bulk: each is a small view that calls one service.

A ``Decision`` says in which statuses it is offered, which inputs it asks for (amount, reason,
payment reference) and whether it needs the pay permission. The service decides the rest: its
refusal (a limit, an illegal step, a missing reason) is shown with its own text.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError
from core.punctuation import labelled

from ..permissions import can_decide, can_pay


@dataclass(frozen=True)
class Decision:
    name: str
    label: str
    statuses: tuple
    call: Callable  # call(actor, obj, data) with the form's cleaned data
    inputs: tuple = ()  # of "amount", "reason", "reference"
    pay: bool = False  # needs the pay permission, not only the decide permission
    primary: bool = False

    def allowed(self, user) -> bool:
        return can_pay(user) if self.pay else can_decide(user)


class DecisionForm(forms.Form):
    """Every input a decision may ask for; the view keeps those it needs. A reason and a reference
    are optional here: the service says when one is required, in its own words."""

    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=12, decimal_places=2, min_value=0)
    reason = forms.CharField(
        label=_("Reason (the applicant sees it)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reference = forms.CharField(label=_("Payment reference of the finance office"), required=False, max_length=60)

    def __init__(self, *args, inputs=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in inputs:
                del self.fields[name]

    def data_for_service(self) -> dict:
        """Every input, those not asked for empty (``amount`` None: the service's default)."""
        return {
            "amount": self.cleaned_data.get("amount"),
            "reason": self.cleaned_data.get("reason", ""),
            "reference": self.cleaned_data.get("reference", ""),
        }


def _service_error(form: DecisionForm, err: DomainError) -> bool:
    """Put the service's refusal on the form's field when it names one; False when it does not."""
    field = err.field
    if field == "reason" and "reason" not in form.fields and "reference" in form.fields:
        field = "reference"  # application_pay names its missing reference "reason"
    if field in form.fields:
        form.add_error(field, err.message)
        return True
    return False


class DecisionAdminMixin:
    """Adds ``<pk>/decide/<name>/`` to a ModelAdmin, its ``decisions`` to the change page, and a
    helper for bulk actions that goes on after a refused item."""

    decisions: tuple[Decision, ...] = ()
    decide_template = "admin/subsidies/decide.html"
    bulk_template = "admin/subsidies/bulk_decide.html"

    def has_decide_permission(self, request) -> bool:
        return can_decide(request.user)

    def has_pay_permission(self, request) -> bool:
        return can_pay(request.user)

    def decision_summary(self, obj) -> list[tuple[str, object]]:
        """(label, value) rows shown above a decision's form."""
        return []

    def object_label(self, obj) -> str:
        return str(obj)

    def _decision_urlname(self):
        return f"{self.opts.app_label}_{self.opts.model_name}_decide"

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/<slug:decision>/",
                self.admin_site.admin_view(self.decision_view),
                name=self._decision_urlname(),
            ),
            *super().get_urls(),
        ]

    def decisions_for(self, request, obj) -> list[dict]:
        """The decisions offered for ``obj`` in its status to this user, with their URLs."""
        return [
            {
                "decision": decision,
                "url": reverse(f"admin:{self._decision_urlname()}", args=[obj.pk, decision.name]),
            }
            for decision in self.decisions
            if obj.status in decision.statuses and decision.allowed(request.user)
        ]

    def change_url(self, obj) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])

    # -- one by one ---------------------------------------------------------------------------

    def decision_view(self, request, pk, decision):
        chosen = {d.name: d for d in self.decisions}.get(decision)
        if chosen is None:
            raise Http404
        if not chosen.allowed(request.user):
            raise PermissionDenied
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        form = DecisionForm(request.POST or None, inputs=chosen.inputs)
        if request.method == "POST" and form.is_valid():
            try:
                chosen.call(request.user, obj, form.data_for_service())
            except DomainError as err:
                if not _service_error(form, err):
                    self.message_user(request, err.message, messages.ERROR)
                    return redirect(self.change_url(obj))
            else:
                message = _("%(object)s: %(decision)s — done.") % {
                    "object": self.object_label(obj),
                    "decision": chosen.label,
                }
                self.message_user(request, message, messages.SUCCESS)
                return redirect(self.change_url(obj))
        context = {
            **self.admin_site.each_context(request),
            "title": labelled(chosen.label, self.object_label(obj)),
            "opts": self.opts,
            "original": obj,
            "decision": chosen,
            "summary": self.decision_summary(obj),
            "form": form,
            "change_url": self.change_url(obj),
        }
        return TemplateResponse(request, self.decide_template, context)

    # -- in bulk ------------------------------------------------------------------------------

    def decide_each(self, request, queryset, decision: Decision, data: dict) -> int:
        """Apply ``decision`` to each object; a refusal is an error message and the rest go on."""
        done = 0
        for obj in queryset.order_by("pk"):
            try:
                decision.call(request.user, obj, data)
            except DomainError as err:
                self.message_user(request, labelled(self.object_label(obj), err.message), messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                _("%(decision)s: %(n)d done.") % {"decision": decision.label, "n": done},
                messages.SUCCESS,
            )
        return done

    def decide_in_bulk(self, request, queryset, name: str):
        """A bulk action: straight away when the decision needs no input, else through a page that
        asks for it once for all the selected objects."""
        decision = {d.name: d for d in self.decisions}[name]
        if not decision.allowed(request.user):
            raise PermissionDenied
        bulk_inputs = tuple(i for i in decision.inputs if i != "amount")
        if not bulk_inputs:
            self.decide_each(request, queryset, decision, {"amount": None, "reason": "", "reference": ""})
            return None
        form = DecisionForm(request.POST if "confirm" in request.POST else None, inputs=bulk_inputs)
        if form.is_bound and form.is_valid():
            data = form.data_for_service()
            if all(data.get(i, "").strip() for i in bulk_inputs):
                self.decide_each(request, queryset, decision, data)
                return None
            for i in bulk_inputs:
                if not data.get(i, "").strip():
                    form.add_error(i, _("This is needed for each of the selected items."))
        context = {
            **self.admin_site.each_context(request),
            "title": decision.label,
            "opts": self.opts,
            "objects": [self.object_label(obj) for obj in queryset.order_by("pk")],
            "ids": list(queryset.order_by("pk").values_list("pk", flat=True)),
            "form": form,
            "action": request.POST.get("action", ""),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, self.bulk_template, context)
