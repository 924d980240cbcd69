"""The members pages through the test client: sign-up, registration, joining, people, profiles."""

import pytest
from django.http import HttpRequest
from django.urls import reverse

from members.models import Membership, Unit
from tests.factories import PASSWORD, MembershipFactory, UnitFactory, UserFactory, valid_credit_code

pytestmark = pytest.mark.django_db


def unit_form_data(district, **overrides):
    data = {
        "name": "包头新材料检测有限公司",
        "short_name": "新材检测",
        "credit_code": valid_credit_code(31),
        "unit_type": "enterprise",
        "scale": "small",
        "is_high_tech": "on",
        "district": district.pk,
        "address": "包头市九原区建华南路1号",
        "contact_person": "刘洋",
        "phone": "13904721234",
        "email": "lab@example.cn",
        "website": "",
        "description": "",
    }
    data.update(overrides)
    return data


def test_sign_up_logs_the_person_in(client):
    response = client.post(
        reverse("members:signup"),
        {
            "email": "zhou@example.cn",
            "name": "周杰",
            "phone": "13800001111",
            "password1": "a-long-secret-77",
            "password2": "a-long-secret-77",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_sign_up_errors_keep_what_was_typed(client):
    response = client.post(
        reverse("members:signup"),
        {
            "email": "zhou@example.cn",
            "name": "周杰",
            "phone": "1380",
            "password1": "a-long-secret-77",
            "password2": "x",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="zhou@example.cn"' in html and 'value="周杰"' in html
    assert "两次输入的密码不一致" in html  # the message beside the field, in Chinese by default


def test_register_unit_then_it_is_pending_and_not_public(client, district):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("members:unit_register"), unit_form_data(district))
    unit = Unit.objects.get()
    assert response.status_code == 302 and response.url == unit.get_absolute_url()
    page = client.get(unit.get_absolute_url()).content.decode()
    assert "待审核" in page
    client.logout()
    assert client.get(unit.get_absolute_url()).status_code == 404
    assert unit.name not in client.get(reverse("members:unit_list")).content.decode()


def test_wrong_check_character_is_shown_beside_the_field_and_input_kept(client, district):
    client.force_login(UserFactory())
    code = valid_credit_code(32)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = client.post(reverse("members:unit_register"), unit_form_data(district, credit_code=wrong))
    assert response.status_code == 200
    html = response.content.decode()
    assert "校验码（第18位）与前17位不符" in html
    assert f'value="{wrong}"' in html and "包头市九原区建华南路1号" in html
    assert not Unit.objects.exists()


# --- Choosing a unit to join: a search, never the list of every unit ---------------------------


@pytest.fixture
def joiner(client):
    user = UserFactory()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return user


def test_the_join_page_lists_no_unit_until_one_is_searched_for(client, joiner, django_assert_max_num_queries):
    UnitFactory.create_batch(30)
    with django_assert_max_num_queries(4):  # session, user, and the header's unread count
        page = client.get(reverse("members:unit_join")).content.decode()
    assert page.count("<option") == 1  # "choose a unit" alone
    assert 'data-unit-search="/api/v1/units/"' in page and "members/unit-search.js" in page
    assert 'data-search-fallback="join-search"' in page and 'id="join-search"' in page


def test_a_search_offers_at_most_twenty_matching_approved_units(client, joiner):
    wanted = UnitFactory(name="内蒙古科技大学", short_name="内蒙古科大")
    UnitFactory(name="内蒙古工业大学", status=Unit.Status.PENDING)  # not approved: never offered
    UnitFactory(name="包头稀土研究院")
    response = client.get(reverse("members:unit_join"), {"q": "科大"})  # the short name
    page = response.content.decode()
    assert f'<option value="{wanted.pk}">内蒙古科技大学</option>' in page
    assert page.count("<option") == 2 and "1 unit matches" in page
    assert 'value="科大"' in page

    for n in range(25):
        UnitFactory(name=f"包头检测中心{n:02d}")
    page = client.get(reverse("members:unit_join"), {"q": "检测中心"}).content.decode()
    assert page.count("<option") == 21 and "The first 20 units that match" in page
    assert "包头检测中心00" in page and "包头检测中心24" not in page  # by name

    page = client.get(reverse("members:unit_join"), {"q": "没有这个单位"}).content.decode()
    assert page.count("<option") == 1 and "No approved unit has this in its name" in page


def test_units_are_found_and_offered_by_their_name_in_the_pages_language(client, joiner):
    unit = UnitFactory(name="内蒙古科技大学", name_en="Inner Mongolia University of Science and Technology")
    UnitFactory(name="包头稀土研究院", name_en="Baotou Research Institute of Rare Earths")
    page = client.get(reverse("members:unit_join"), {"q": "science"}).content.decode()
    assert f'<option value="{unit.pk}">Inner Mongolia University of Science and Technology</option>' in page
    assert page.count("<option") == 2 and "内蒙古科技大学" not in page
    found = client.get("/api/v1/units/", {"q": "science"}).json()["results"]
    assert [(u["name"], u["name_en"]) for u in found] == [(unit.name, unit.name_en)]

    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("members:unit_join"), {"q": "science"}).content.decode()
    assert f'<option value="{unit.pk}">内蒙古科技大学</option>' in page


def test_a_unit_profile_link_offers_that_unit_chosen(client, joiner):
    unit = UnitFactory(name="包头稀土研究院")
    page = client.get(reverse("members:unit_join"), {"unit": unit.pk}).content.decode()
    assert f'<option value="{unit.pk}" selected>包头稀土研究院</option>' in page
    for wrong in ("abc", "99999999999999", "0"):
        assert client.get(reverse("members:unit_join"), {"unit": wrong}).status_code == 200


def test_joining_a_found_unit_sends_the_request(client, joiner):
    unit = UnitFactory(name="内蒙古科技大学")
    MembershipFactory(unit=unit, role="admin")
    response = client.post(reverse("members:unit_join") + "?q=科技", {"unit": unit.pk})
    assert response.status_code == 302
    assert Membership.objects.get(user=joiner).unit == unit


@pytest.mark.parametrize("unit_status", [Unit.Status.PENDING, Unit.Status.SUSPENDED])
def test_only_approved_units_can_be_joined(client, joiner, unit_status):
    unit = UnitFactory(status=unit_status)
    response = client.post(reverse("members:unit_join"), {"unit": unit.pk})
    assert response.status_code == 200
    assert "No approved unit has this id." in response.content.decode()
    assert not Membership.objects.filter(user=joiner).exists()
    assert "Choose a unit." in client.post(reverse("members:unit_join"), {"unit": ""}).content.decode()


def test_join_request_and_acceptance_through_pages(client):
    unit = UnitFactory()
    admin = MembershipFactory(unit=unit, role="admin").user
    joiner = UserFactory()
    client.force_login(joiner)
    assert client.post(reverse("members:unit_join"), {"unit": unit.pk}).status_code == 302
    membership = Membership.objects.get(user=joiner)
    assert membership.status == "pending"

    # the joiner cannot accept themselves: the people page is a 404 for them
    url = reverse("members:membership_action", args=[unit.pk, membership.pk, "accept"])
    assert client.post(url, {"role": "admin"}).status_code == 404

    client.force_login(admin)
    assert joiner.email in client.get(reverse("members:unit_people", args=[unit.pk])).content.decode()
    client.post(url, {"role": "manager"})
    membership.refresh_from_db()
    assert (membership.status, membership.role) == ("active", "manager")


@pytest.mark.parametrize("role", [None, "member", "manager"])
def test_people_page_is_404_for_everyone_but_admins(client, role):
    unit = UnitFactory()
    user = MembershipFactory(unit=unit, role=role).user if role else UserFactory()
    client.force_login(user)
    assert client.get(reverse("members:unit_people", args=[unit.pk])).status_code == 404
    assert client.get(reverse("members:unit_edit", args=[unit.pk])).status_code == 404


def test_admin_of_another_unit_gets_404_not_403(client):
    unit = UnitFactory()
    other_admin = MembershipFactory(role="admin").user
    client.force_login(other_admin)
    assert client.get(reverse("members:unit_edit", args=[unit.pk])).status_code == 404


def test_public_profile_of_an_approved_unit(client):
    unit = UnitFactory(name="内蒙古科技大学")
    response = client.get(unit.get_absolute_url())
    assert response.status_code == 200
    assert "内蒙古科技大学" in response.content.decode()


def test_unit_directory_filters_and_fixed_query_count(client, django_assert_max_num_queries):
    units = UnitFactory.create_batch(3, unit_type="university")
    UnitFactory(unit_type="hospital", name="包头市中心医院")
    UnitFactory(status="pending", name="待审核单位")
    html = client.get(reverse("members:unit_list"), {"unit_type": "hospital"}).content.decode()
    assert "包头市中心医院" in html and units[0].name not in html
    html = client.get(reverse("members:unit_list")).content.decode()
    assert "待审核单位" not in html
    UnitFactory.create_batch(20)
    with django_assert_max_num_queries(8):
        client.get(reverse("members:unit_list"))


def test_login_logout_and_password_change(client):
    user = UserFactory(email="li@example.cn")
    response = client.post(reverse("login"), {"username": "li@example.cn", "password": PASSWORD})
    assert response.status_code == 302
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-secret-88",
            "new_password2": "another-long-secret-88",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-secret-88")
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_password_reset_by_email(client, mailoutbox):
    UserFactory(email="li@example.cn")
    client.post(reverse("password_reset"), {"email": "li@example.cn"})
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    link = next(line for line in body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "brand-new-secret-55", "new_password2": "brand-new-secret-55"})
    assert response.status_code == 302
    assert client.login(request=HttpRequest(), username="li@example.cn", password="brand-new-secret-55")


def test_pages_are_in_chinese_by_default_and_english_after_switching(client):
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="zh-hans">' in html and "会员单位" in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in html and "Member units" in html and "会员单位" not in html


@pytest.mark.parametrize(
    "name", ["home", "members:signup", "members:unit_list", "login", "password_reset", "api-schema", "api-docs"]
)
def test_public_pages_answer(client, name):
    assert client.get(reverse(name)).status_code == 200


def test_notifications_page_marks_them_read(client, officer, django_capture_on_commit_callbacks):
    from members import services

    unit = UnitFactory(status="pending")
    admin = MembershipFactory(unit=unit, role="admin").user
    with django_capture_on_commit_callbacks(execute=True):
        services.unit_approve(actor=officer, unit=unit)
    client.force_login(admin)
    html = client.get(reverse("members:notifications")).content.decode()
    assert unit.name in html
    assert not admin.notifications.filter(read_at__isnull=True).exists()


@pytest.mark.parametrize(("role", "sees_link"), [("admin", True), ("manager", True), ("member", False), (None, False)])
def test_instrument_management_link_only_for_those_who_manage(client, role, sees_link):
    unit = UnitFactory()
    user = MembershipFactory(unit=unit, role=role).user if role else UserFactory()
    client.force_login(user)
    manage_url = reverse("instruments:manage_list", args=[unit.pk])
    assert (manage_url in client.get(unit.get_absolute_url()).content.decode()) == sees_link
    assert (manage_url in client.get(reverse("dashboard")).content.decode()) == sees_link


def test_the_same_notification_reads_in_chinese_then_in_english_after_switching(client, officer):
    from members import services

    unit = UnitFactory(status="pending", name="包头检测中心")
    admin = MembershipFactory(unit=unit, role="admin").user
    services.unit_approve(actor=officer, unit=unit)
    client.force_login(admin)
    html = client.get(reverse("members:notifications")).content.decode()
    assert "您的会员单位“包头检测中心”现为：已批准" in html and "is now" not in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("members:notifications")).content.decode()
    assert "Your member unit “包头检测中心” is now Approved" in html and "已批准" not in html


def test_the_account_page_sets_the_language_of_emails(client):
    url = reverse("members:account")
    assert client.get(url).status_code == 302  # log in first
    user = UserFactory(name="周杰")
    client.force_login(user)
    html = client.get(url).content.decode()
    assert 'name="language"' in html and "周杰" in html
    response = client.post(url, {"name": "周杰伦", "phone": "13800001111", "language": "en"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.name, user.phone, user.language) == ("周杰伦", "13800001111", "en")
    response = client.post(url, {"name": "周杰伦", "phone": "", "language": "xx"})
    assert response.status_code == 200 and "language" in response.context["form"].errors
