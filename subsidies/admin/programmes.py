"""Programmes: made from a city preset or by hand (every value editable), changed only in ways that
keep committed money within every limit; provider rewards and the finance office's lists."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from bookings.models import ServicePurpose, ServiceWay
from core.exceptions import DomainError
from core.money import format_yuan
from core.punctuation import labelled
from members.models import Unit

from .. import exporting, services
from ..models import Programme, TierRule
from ..permissions import can_decide
from ..presets import PRESETS

CHECKBOXES = forms.CheckboxSelectMultiple
NONE_TICKED = _("None ticked: every one is eligible.")
LIST_FIELDS = ["eligible_unit_types", "eligible_scales", "eligible_service_ways", "excluded_purposes"]


def _label(name: str):
    return Programme._meta.get_field(name).verbose_name


class ProgrammeForm(forms.ModelForm):
    """The JSON lists as checkboxes; on a change, each value that would break committed money is
    refused on its own field (``services.committed_problems``)."""

    eligible_unit_types = forms.MultipleChoiceField(
        label=_label("eligible_unit_types"),
        choices=Unit.Type.choices,
        widget=CHECKBOXES,
        required=False,
        help_text=NONE_TICKED,
    )
    eligible_scales = forms.MultipleChoiceField(
        label=_label("eligible_scales"),
        choices=Unit.Scale.choices,
        widget=CHECKBOXES,
        required=False,
        help_text=NONE_TICKED,
    )
    eligible_service_ways = forms.MultipleChoiceField(
        label=_label("eligible_service_ways"),
        choices=ServiceWay.choices,
        widget=CHECKBOXES,
        required=False,
        help_text=NONE_TICKED,
    )
    excluded_purposes = forms.MultipleChoiceField(
        label=_label("excluded_purposes"),
        choices=[c for c in ServicePurpose.choices if c[0] != ServicePurpose.RD],
        widget=CHECKBOXES,
        required=False,
    )

    class Meta:
        model = Programme
        fields = [
            "name",
            "mode",
            "year",
            "services_from",
            "services_until",
            "applies_from",
            "applies_until",
            "budget",
            "cap_per_application",
            "cap_per_enterprise",
            "cap_counts_group",
            "provider_reward_cap",
            "base_rate",
            "listed_units",
            "provider_reward_rate",
            *LIST_FIELDS,
            "min_instrument_value",
            "providers_in_region",
            "region_city",
            "settlement_cycle",
            "notice_days",
            "voucher_validity_days",
        ]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            changes = {name: cleaned[name] for name in self.changed_data if name in cleaned}
            for field, message in services.committed_problems(self.instance, changes):
                if field in self.fields:
                    self.add_error(field, message)
                else:
                    self.add_error(None, message)
        return cleaned


class TierRuleInline(admin.StackedInline):  # stacked: readable on a phone
    model = TierRule
    fields = ["condition", "rate"]

    def get_extra(self, request, obj=None, **kwargs):
        if obj is not None:
            return 0
        preset = PRESETS.get(request.GET.get("preset", ""))
        return len(preset["tiers"]) if preset else 1


def preset_initial(key: str) -> dict:
    """A preset's values as the add form's initial data."""
    preset = PRESETS.get(key)
    if preset is None:
        return {}
    today = timezone.localdate()
    return {"year": today.year, **preset["fields"]}


def preset_links() -> list[dict]:
    add = reverse("admin:subsidies_programme_add")
    return [{"key": key, "label": preset["label"], "url": f"{add}?preset={key}"} for key, preset in PRESETS.items()]


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    form = ProgrammeForm
    inlines = [TierRuleInline]
    list_display = ["name", "year", "mode", "applies_from", "applies_until", "budget", "committed", "remaining"]
    list_filter = ["year", "mode", "settlement_cycle"]
    search_fields = ["name"]
    autocomplete_fields = ["listed_units"]
    readonly_fields = ["committed", "remaining"]
    actions = ["compute_rewards", "export_approved", "export_paid", "export_vouchers", "export_redemptions"]
    fieldsets = [
        (None, {"fields": ["name", "mode", "year"]}),
        (_("Window"), {"fields": ["services_from", "services_until", "applies_from", "applies_until"]}),
        (
            _("Budget and caps"),
            {
                "fields": [
                    "budget",
                    "committed",
                    "remaining",
                    "cap_per_application",
                    "cap_per_enterprise",
                    "cap_counts_group",
                    "provider_reward_cap",
                ]
            },
        ),
        (_("Rates"), {"fields": ["base_rate", "listed_units", "provider_reward_rate"]}),
        (
            _("Eligibility"),
            {
                "fields": [
                    *LIST_FIELDS,
                    "min_instrument_value",
                    "providers_in_region",
                    "region_city",
                ]
            },
        ),
        (_("Settlement"), {"fields": ["settlement_cycle", "notice_days"]}),
        (_("Innovation vouchers"), {"fields": ["voucher_validity_days"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and (obj is None or not obj.ledger.exists())

    def has_decide_permission(self, request):
        return can_decide(request.user)

    @admin.display(description=_("remaining budget (yuan)"))
    def remaining(self, obj):
        return obj.remaining_budget if obj.pk else self.get_empty_value_display()

    # -- presets ------------------------------------------------------------------------------

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.pop("preset", None)
        return {**preset_initial(request.GET.get("preset", "")), **initial}

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        preset = PRESETS.get(request.GET.get("preset", ""))
        if request.method == "GET" and obj.pk is None and preset and isinstance(inline, TierRuleInline):
            kwargs["initial"] = [{"condition": c, "rate": r} for c, r in preset["tiers"]]
        return kwargs

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "presets": preset_links(),
            "preset": request.GET.get("preset", ""),
            "can_compute": self.has_decide_permission(request),
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "presets": preset_links()})

    # -- saving through the services ---------------------------------------------------------

    def save_model(self, request, obj, form, change):
        values = {
            name: form.cleaned_data[name]
            for name in form.cleaned_data
            if name in {f.name for f in Programme._meta.concrete_fields}
        }
        if change:
            changed = {name: value for name, value in values.items() if name in form.changed_data}
            services.programme_update(actor=request.user, programme=obj, **changed)
            return
        created = services.programme_create(actor=request.user, **values)
        # The admin goes on with its own instance (inlines, the log, the redirect): make it the row.
        for field in Programme._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding, obj._state.db = False, created._state.db

    # -- rewards and the finance office's lists -----------------------------------------------

    def get_urls(self):
        return [
            path(
                "<int:pk>/rewards/",
                self.admin_site.admin_view(self.compute_rewards_view),
                name="subsidies_programme_rewards",
            ),
            path(
                "<int:pk>/export/<str:which>/",
                self.admin_site.admin_view(self.export_view),
                name="subsidies_programme_export",
            ),
            *super().get_urls(),
        ]

    def _compute(self, request, programmes):
        for programme in programmes:
            try:
                rewards = services.provider_rewards_compute(actor=request.user, programme=programme)
            except DomainError as err:
                self.message_user(request, labelled(programme, err.message), messages.ERROR)
                continue
            total = sum((r.computed_amount for r in rewards), 0)
            message = _("%(programme)s: %(n)d provider rewards computed, %(total)s in all.") % {
                "programme": programme,
                "n": len(rewards),
                "total": format_yuan(total),
            }
            self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Compute provider rewards"), permissions=["decide"])
    def compute_rewards(self, request, queryset):
        self._compute(request, queryset.order_by("pk"))

    def compute_rewards_view(self, request, pk):
        if request.method != "POST" or not self.has_decide_permission(request):
            raise PermissionDenied
        programme = get_object_or_404(Programme, pk=pk)
        self._compute(request, [programme])
        return redirect(f"{reverse('admin:subsidies_providerreward_changelist')}?programme__id__exact={programme.pk}")

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request) and request.user.has_perm("subsidies.view_application")

    @admin.action(description=_("Export the approved list (Excel)"), permissions=["export"])
    def export_approved(self, request, queryset):
        return exporting.list_response(queryset.order_by("year", "pk"), "approved")

    @admin.action(description=_("Export the paid list (Excel)"), permissions=["export"])
    def export_paid(self, request, queryset):
        return exporting.list_response(queryset.order_by("year", "pk"), "paid")

    def has_voucher_export_permission(self, request) -> bool:
        user = request.user
        return self.has_view_permission(request) and (user.has_perm("subsidies.view_voucher") or can_decide(user))

    @admin.action(description=_("Export the vouchers list (Excel)"), permissions=["voucher_export"])
    def export_vouchers(self, request, queryset):
        return exporting.list_response(queryset.order_by("year", "pk"), "vouchers")

    @admin.action(description=_("Export the redemptions list (Excel)"), permissions=["voucher_export"])
    def export_redemptions(self, request, queryset):
        return exporting.list_response(queryset.order_by("year", "pk"), "redemptions")

    def export_view(self, request, pk, which):
        if which in exporting.VOUCHER_LISTS:
            allowed = self.has_voucher_export_permission(request)
        else:
            allowed = which in exporting.APPLICATION_LISTS and self.has_export_permission(request)
        if not allowed:
            raise PermissionDenied
        programme = get_object_or_404(Programme, pk=pk)
        return exporting.list_response([programme], which)
