"""Forms of the members pages: they parse input; the services decide."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from .models import Membership, Unit, UnitGroup
from .services import UNIT_PROFILE_FIELDS
from .widgets import UnitField, UnitSearchSelect

User = get_user_model()


class SignupForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    name = forms.CharField(label=_("Name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        validators=User._meta.get_field("phone").validators,
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address already exists. Log in instead."))
        return email

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ; type the same password twice."))
        elif p1:
            probe = User(email=data.get("email", ""), name=data.get("name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as err:
                self.add_error("password1", err)
        return data


class AccountForm(forms.ModelForm):
    """One's own name, phone and the language of one's e-mails."""

    class Meta:
        model = User
        fields = ["name", "phone", "language"]
        widgets = {"phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"})}


class UnitForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Unit
        fields = list(UNIT_PROFILE_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "credit_code": forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def clean_credit_code(self):
        return self.cleaned_data["credit_code"].strip().upper()


class UnitRegisterForm(UnitForm):
    """The registration form: the unit's profile and, if it has one, its group of related units."""

    group_name = forms.CharField(
        label=_("Group of related units (if any)"),
        max_length=UnitGroup._meta.get_field("name").max_length,
        required=False,
        help_text=_(
            "If an actual controller (a person or a company) also controls other units, name the group; "
            "the bureau confirms it. Services between units of one group are not subsidised."
        ),
    )
    controller = forms.CharField(
        label=_("Actual controller"), max_length=UnitGroup._meta.get_field("controller").max_length, required=False
    )

    def clean(self):
        data = super().clean()
        group_name, controller = data.get("group_name", ""), data.get("controller", "")
        if bool(group_name) != bool(controller):
            missing = "controller" if group_name else "group_name"
            self.add_error(missing, _("Give both the group's name and its actual controller, or leave both blank."))
        return data


class JoinForm(forms.Form):
    """The unit to join, by id: a select of the units a search offered (``offered``) and the one
    chosen, which ``unit-search.js`` turns into a search box with suggestions."""

    unit = UnitField(
        as_unit=True,
        label=_("Unit"),
        widget=UnitSearchSelect(
            attrs={"data-search-fallback": "join-search"},
            empty_label=_("Choose a unit"),
            search_label=_("Find your unit by name"),
            search_placeholder=_("Type part of the unit's name"),
        ),
        error_messages={"required": _("Choose a unit.")},
    )

    def __init__(self, *args, offered=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.offered = list(offered)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class DecisionReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (shown to the applicant)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
