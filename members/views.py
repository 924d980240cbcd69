"""Pages for accounts, units and their people: parse input, call one service, render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.panels import render_panels

from . import selectors, services
from .exceptions import DomainError
from .filters import UnitFilter
from .forms import AccountForm, JoinForm, RoleForm, SignupForm, UnitForm, UnitRegisterForm
from .models import Membership
from .permissions import can_manage_people, can_manage_unit, unit_role

JOIN_WORDS_MAX_LENGTH = 100


def signup(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_signup(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
            )
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Now register your unit or ask to join an existing one."))
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "members/signup.html", {"form": form})


@login_required
def unit_register(request):
    form = UnitRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_register(user=request.user, **form.cleaned_data)
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            messages.success(request, _("Your unit is registered and waits for the bureau's review."))
            return redirect(unit)
    return render(request, "members/unit_form.html", {"form": form, "title": _("Register a member unit")})


@login_required
def unit_edit(request, pk):
    unit = selectors.unit_get_for_admin(user=request.user, pk=pk)
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=request.user, unit=unit, **form.cleaned_data)
        except DomainError as err:
            form.add_error(None, err.message)
        else:
            messages.success(request, _("The unit's profile is saved."))
            return redirect(unit)
    return render(
        request, "members/unit_form.html", {"form": form, "unit": unit, "title": _("Edit the unit's profile")}
    )


def unit_list(request):
    unit_filter = UnitFilter(request.GET or None, queryset=selectors.unit_list_public())
    page = Paginator(unit_filter.qs, 20).get_page(request.GET.get("page"))
    return render(request, "members/unit_list.html", {"filter": unit_filter, "page": page})


def unit_profile(request, pk, panels=()):
    """A unit's public profile, with the panels the apps above add to it (members/urls.py)."""
    unit = selectors.unit_get_public(user=request.user, pk=pk)
    return render(
        request,
        "members/unit_profile.html",
        {
            "unit": unit,
            "role": unit_role(request.user, unit),
            "can_edit": can_manage_unit(request.user, unit),
            "can_manage_people": can_manage_people(request.user, unit),
            "panels": render_panels(panels, request, unit),
        },
    )


@login_required
def unit_join(request):
    """Choose a unit by searching for it (``?q=``; with scripts, suggestions as one types), then
    ask to join it."""
    words = request.GET.get("q", "")[:JOIN_WORDS_MAX_LENGTH].strip()
    offered, more = selectors.units_to_join(words=words, unit_id=request.GET.get("unit"))
    form = JoinForm(request.POST or None, initial={"unit": request.GET.get("unit")}, offered=offered)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_request(user=request.user, unit=form.cleaned_data["unit"])
        except DomainError as err:
            form.add_error("unit", err.message)
        else:
            messages.success(request, _("Your request was sent to the unit's administrators."))
            return redirect(settings.LOGIN_REDIRECT_URL)
    context = {"form": form, "words": words, "found": len(offered), "more": more}
    return render(request, "members/unit_join.html", context)


@login_required
def unit_people(request, pk):
    unit = selectors.unit_get_for_people_admin(user=request.user, pk=pk)
    return render(
        request,
        "members/unit_people.html",
        {
            "unit": unit,
            "memberships": selectors.membership_list_for_unit(unit=unit),
            "roles": Membership.Role.choices,
        },
    )


MEMBERSHIP_ACTIONS = {
    "accept": lambda actor, m, role: services.membership_accept(actor=actor, membership=m, role=role),
    "decline": lambda actor, m, role: services.membership_decline(actor=actor, membership=m),
    "role": lambda actor, m, role: services.membership_set_role(actor=actor, membership=m, role=role),
    "remove": lambda actor, m, role: services.membership_remove(actor=actor, membership=m),
}


@login_required
@require_POST
def membership_action(request, pk, membership_pk, action):
    unit = selectors.unit_get_for_people_admin(user=request.user, pk=pk)
    membership = selectors.membership_get_for_admin(user=request.user, unit=unit, pk=membership_pk)
    if action not in MEMBERSHIP_ACTIONS:
        messages.error(request, _("Unknown action."))
        return redirect("members:unit_people", pk=unit.pk)
    role_form = RoleForm(request.POST or {"role": Membership.Role.MEMBER})
    role = role_form.cleaned_data["role"] if role_form.is_valid() else Membership.Role.MEMBER
    try:
        MEMBERSHIP_ACTIONS[action](request.user, membership, role)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("members:unit_people", pk=unit.pk)


@login_required
def notifications(request):
    page = Paginator(selectors.notification_list(user=request.user), 20).get_page(request.GET.get("page"))
    response = render(request, "members/notifications.html", {"page": page})
    services.notification_mark_read(user=request.user, notification_ids=[n.pk for n in page])
    return response


@login_required
def account_settings(request):
    form = AccountForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_update(user=request.user, **{name: form.cleaned_data[name] for name in form.Meta.fields})
        messages.success(request, _("Your account settings are saved."))
        return redirect("members:account")
    return render(request, "members/account.html", {"form": form})
