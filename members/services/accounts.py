"""Accounts: sign-up and one's own settings."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext as _

from ..exceptions import DomainError, PermissionDenied

User = get_user_model()


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
