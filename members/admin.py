"""The bureau's screens: the queue of units to review, decisions one by one or in bulk."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.punctuation import labelled

from . import services
from .exceptions import DomainError
from .forms import DecisionReasonForm
from .models import District, Membership, Notification, Unit, UnitGroup, User
from .permissions import can_decide_unit

admin.site.site_header = _("Instrument Commons administration")
admin.site.site_title = _("Instrument Commons")
admin.site.index_title = _("Bureau workspace")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "status", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "unit_type", "district", "status", "group", "group_confirmed", "created_at", "decide_link"]
    list_filter = [
        "status",
        "unit_type",
        "district",
        "scale",
        "is_high_tech",
        "group_confirmed",
        ("group", admin.EmptyFieldListFilter),
    ]
    search_fields = ["name", "short_name", "credit_code", "group__name", "group__controller"]
    # The group changes only through its services (declared by the unit, confirmed or removed here).
    readonly_fields = [
        "status",
        "decision_reason",
        "decided_at",
        "decided_by",
        "created_at",
        "group",
        "group_confirmed",
    ]
    inlines = [MembershipInline]
    actions = [
        "approve_selected",
        "reject_selected",
        "suspend_selected",
        "confirm_group_selected",
        "remove_group_selected",
    ]
    list_select_related = ["district", "group"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # as on the unit's own form
    ordering = ["status", "-created_at"]

    def has_decide_permission(self, request):
        return can_decide_unit(request.user)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description=_("Decision"))
    def decide_link(self, obj):
        url = reverse("admin:members_unit_decide", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Decide"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="members_unit_decide",
            ),
        ] + super().get_urls()

    # -- one by one ---------------------------------------------------------------------------
    DECISIONS = {
        "approve": lambda actor, unit, reason: services.unit_approve(actor=actor, unit=unit),
        "reject": lambda actor, unit, reason: services.unit_reject(actor=actor, unit=unit, reason=reason),
        "suspend": lambda actor, unit, reason: services.unit_suspend(actor=actor, unit=unit, reason=reason),
    }

    def decide_view(self, request, pk):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        unit = get_object_or_404(Unit, pk=pk)
        form = DecisionReasonForm(request.POST or None)
        form.fields["reason"].required = False  # approving needs none; the service asks for the others
        decision = request.POST.get("decision")
        if request.method == "POST" and decision in self.DECISIONS and form.is_valid():
            try:
                self.DECISIONS[decision](request.user, unit, form.cleaned_data["reason"])
            except DomainError as err:
                form.add_error("reason", err.message)
            else:
                self.message_user(request, _("%(n)d unit(s) updated.") % {"n": 1}, messages.SUCCESS)
                return redirect("admin:members_unit_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Decide on %(unit)s") % {"unit": unit.name},
            "unit": unit,
            "form": form,
            "opts": self.model._meta,
            "history": unit.history.select_related("history_user").order_by("-history_date")[:20],
        }
        return TemplateResponse(request, "admin/members/unit/decide.html", context)

    # -- in bulk ------------------------------------------------------------------------------
    def _decide(self, request, units, verb, **kwargs):
        done = 0
        for unit in units:
            try:
                verb(actor=request.user, unit=unit, **kwargs)
                done += 1
            except DomainError as err:
                self.message_user(request, labelled(unit.display_name, err.message), messages.WARNING)
        if done:
            self.message_user(request, _("%(n)d unit(s) updated.") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Approve selected units"), permissions=["decide"])
    def approve_selected(self, request, queryset):
        self._decide(request, list(queryset), services.unit_approve)

    def _with_reason(self, request, queryset, verb, action, title, reason_required=True):
        form = DecisionReasonForm(request.POST if "reason" in request.POST else None)
        form.fields["reason"].required = reason_required
        if form.is_bound and form.is_valid():
            self._decide(request, list(queryset), verb, reason=form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "units": queryset,
            "form": form,
            "action": action,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/members/unit/reason.html", context)

    @admin.action(description=_("Reject selected units (with a reason)"), permissions=["decide"])
    def reject_selected(self, request, queryset):
        return self._with_reason(request, queryset, services.unit_reject, "reject_selected", _("Reject units"))

    @admin.action(description=_("Suspend selected units (with a reason)"), permissions=["decide"])
    def suspend_selected(self, request, queryset):
        return self._with_reason(request, queryset, services.unit_suspend, "suspend_selected", _("Suspend units"))

    @admin.action(description=_("Confirm group membership"), permissions=["decide"])
    def confirm_group_selected(self, request, queryset):
        self._decide(request, list(queryset), services.unit_group_confirm)

    @admin.action(description=_("Remove from group"), permissions=["decide"])
    def remove_group_selected(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            services.unit_group_remove,
            "remove_group_selected",
            _("Remove units from their group"),
            reason_required=False,
        )


class GroupUnitInline(admin.TabularInline):
    """The group's units, read only: a unit joins by declaring, and the bureau confirms or removes
    it from the member units' list."""

    model = Unit
    fk_name = "group"
    extra = 0
    fields = ["name", "unit_type", "status", "group_confirmed"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    verbose_name = _("unit of the group")
    verbose_name_plural = _("units of the group")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(UnitGroup)
class UnitGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "controller", "unit_count", "confirmed_count", "created_at"]
    search_fields = ["name", "controller"]
    readonly_fields = ["created_at"]
    inlines = [GroupUnitInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                unit_count=Count("units", distinct=True),
                confirmed_count=Count("units", filter=Q(units__group_confirmed=True), distinct=True),
            )
        )

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description=_("units"), ordering="unit_count")
    def unit_count(self, obj):
        return obj.unit_count

    @admin.display(description=_("confirmed units"), ordering="confirmed_count")
    def confirmed_count(self, obj):
        return obj.confirmed_count


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "phone", "is_staff", "is_active"]
    search_fields = ["email", "name", "phone"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["name", "phone"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]})]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "order"]
    list_editable = ["order"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "unit", "role", "status", "created_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__email", "user__name", "unit__name"]
    list_select_related = ["user", "unit"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "created_at", "sent_at", "attempts"]
    list_filter = ["sent_at"]
    readonly_fields = [
        "recipient",
        "subject",
        "body",
        "url",
        "created_at",
        "sent_at",
        "read_at",
        "attempts",
        "last_error",
    ]
    fields = readonly_fields  # the stored message ids and parameters are shown rendered, not edited
    list_select_related = ["recipient"]
