"""Password guessing is stopped: five failures lock an account (and, separately, an address) for
15 minutes on the login page, the API token endpoint and the admin; the bureau can unlock."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"


def login(client, email, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address)


def test_the_sixth_try_with_the_right_password_is_refused_then_works_after_the_cool_off(client):
    user = UserFactory()
    for _ in range(4):
        assert login(client, user.email, WRONG).status_code == 200  # the form again, with its error
    assert login(client, user.email, WRONG).status_code == 429  # the fifth failure locks
    locked = login(client, user.email, PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    page = locked.content.decode()
    assert 'id="locked-out"' in page and "15" in page
    assert "锁定" in page  # Chinese by default

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_lockout_message_is_in_english_on_an_english_page(client):
    user = UserFactory()
    client.post(reverse("set_language"), {"language": "en"})
    for _ in range(5):
        login(client, user.email, WRONG)
    page = login(client, user.email, PASSWORD).content.decode()
    assert "Too many failed logins" in page


def test_one_address_guessing_many_accounts_is_locked_separately(client):
    users = UserFactory.create_batch(6)
    for user in users[:5]:
        login(client, user.email, WRONG, address="10.9.9.9")
    # The sixth account has no failure of its own, but the address is locked.
    assert login(client, users[5].email, PASSWORD, address="10.9.9.9").status_code == 429
    # The same account from another address is fine.
    assert login(client, users[5].email, PASSWORD, address="10.1.1.1").status_code == 302


def test_the_token_endpoint_locks_out_too_with_a_json_answer():
    user = UserFactory()
    api = APIClient()
    url = reverse("api-token")
    for _ in range(5):
        assert api.post(url, {"username": user.email, "password": WRONG}, REMOTE_ADDR="10.0.0.2").status_code == 400
    response = api.post(url, {"username": user.email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert "token" not in response.json()


def test_the_admin_login_counts_towards_the_same_lockout(client):
    user = UserFactory(is_staff=True)
    for _ in range(3):
        client.post(reverse("admin:login"), {"username": user.email, "password": WRONG}, REMOTE_ADDR="10.0.0.3")
    for _ in range(2):
        login(client, user.email, WRONG, address="10.0.0.3")
    assert login(client, user.email, PASSWORD, address="10.0.0.3").status_code == 429


def test_failures_are_kept_with_who_and_from_where(client):
    user = UserFactory()
    login(client, user.email, WRONG, address="10.0.0.4")
    attempt = AccessAttempt.objects.get(username=user.email)
    assert attempt.ip_address == "10.0.0.4" and attempt.failures_since_start == 1
    login(client, user.email, PASSWORD, address="10.0.0.4")
    assert AccessLog.objects.filter(username=user.email, ip_address="10.0.0.4").exists()


def test_bureau_staff_can_see_and_remove_lockouts_in_the_admin(client):
    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get(name="bureau_staff"))
    victim = UserFactory()
    for _ in range(5):
        login(client, victim.email, WRONG, address="10.0.0.5")
    client.force_login(officer)
    listing = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and victim.email in listing.content.decode()
    attempt = AccessAttempt.objects.get(username=victim.email)
    response = client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert not AccessAttempt.objects.filter(username=victim.email).exists()
    client.logout()
    assert login(client, victim.email, PASSWORD, address="10.0.0.5").status_code == 302
