"""Services of the members app: sign-up, unit registration, the bureau's decisions, memberships."""

from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import override

from members import services
from members.exceptions import DomainError, InvalidTransition
from members.models import Membership, Notification, Unit
from tests.factories import MembershipFactory, UnitFactory, UserFactory, valid_credit_code

pytestmark = pytest.mark.django_db


def unit_fields(district, **overrides):
    fields = {
        "name": "包头新材料检测有限公司",
        "short_name": "新材检测",
        "credit_code": valid_credit_code(4242),
        "unit_type": Unit.Type.ENTERPRISE,
        "scale": Unit.Scale.SMALL,
        "is_high_tech": True,
        "district": district,
        "address": "包头市九原区建华南路1号",
        "contact_person": "刘洋",
        "phone": "13904721234",
        "email": "lab@example.cn",
        "website": "",
        "description": "",
    }
    fields.update(overrides)
    return fields


def test_signup_creates_an_account_that_can_log_in():
    user = services.user_signup(email="New@Example.cn", password="a-long-secret-77", name="周杰", phone="13800001111")
    assert user.email == "new@example.cn"
    assert user.check_password("a-long-secret-77")


def test_signup_refuses_a_second_account_with_the_same_email():
    UserFactory(email="taken@example.cn")
    with pytest.raises(DomainError):
        services.user_signup(email="TAKEN@example.cn", password="a-long-secret-77", name="x")


def test_signup_applies_the_password_rules():
    with pytest.raises(ValidationError):
        services.user_signup(email="a@example.cn", password="123", name="x")


def test_registering_a_unit_makes_it_pending_with_the_registrant_as_admin(district):
    user = UserFactory()
    unit = services.unit_register(user=user, **unit_fields(district))
    assert unit.status == Unit.Status.PENDING
    membership = Membership.objects.get(unit=unit)
    assert (membership.user, membership.role, membership.status) == (user, "admin", "active")


def test_registering_with_a_wrong_check_character_is_refused(district):
    code = valid_credit_code(1)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(ValidationError) as err:
        services.unit_register(user=UserFactory(), **unit_fields(district, credit_code=wrong))
    assert "credit_code" in err.value.message_dict
    assert not Unit.objects.exists()


def test_approve_notifies_the_applicant_and_records_who_and_when(district, officer, django_capture_on_commit_callbacks):
    applicant = UserFactory(email="applicant@example.cn")
    unit = services.unit_register(user=applicant, **unit_fields(district))
    # A decision rolled back with its transaction leaves no notification behind.
    with mock.patch("members.tasks.notification_deliver_task.delay") as delay:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.unit_approve(actor=officer, unit=unit)
            raise RuntimeError("roll back")
        assert delay.call_count == 0
    unit.refresh_from_db()
    assert unit.status == Unit.Status.PENDING
    assert not Notification.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.unit_approve(actor=officer, unit=unit)
    unit.refresh_from_db()
    assert unit.status == Unit.Status.APPROVED
    assert unit.decided_by == officer and unit.decided_at is not None
    latest = unit.history.latest()
    assert latest.history_user == officer and latest.status == "approved"
    note = Notification.objects.get(recipient=applicant)
    assert note.sent_at is not None  # eager delivery in tests
    assert mail.outbox[-1].to == ["applicant@example.cn"]


def test_reject_requires_a_reason_and_the_applicant_sees_it(district, officer, django_capture_on_commit_callbacks):
    unit = services.unit_register(user=UserFactory(), **unit_fields(district))
    with pytest.raises(DomainError):
        services.unit_reject(actor=officer, unit=unit, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.unit_reject(actor=officer, unit=unit, reason="营业执照照片不清晰")
    unit.refresh_from_db()
    assert unit.status == Unit.Status.REJECTED
    assert "营业执照照片不清晰" in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("start", "verb", "allowed"),
    [
        ("pending", "approve", True),
        ("pending", "reject", True),
        ("pending", "suspend", False),
        ("approved", "approve", False),
        ("approved", "reject", False),
        ("approved", "suspend", True),
        ("suspended", "approve", True),
        ("suspended", "reject", False),
        ("rejected", "approve", True),
        ("rejected", "suspend", False),
    ],
)
def test_unit_transitions(start, verb, allowed, officer):
    unit = UnitFactory(status=start)
    call = {
        "approve": lambda: services.unit_approve(actor=officer, unit=unit),
        "reject": lambda: services.unit_reject(actor=officer, unit=unit, reason="r"),
        "suspend": lambda: services.unit_suspend(actor=officer, unit=unit, reason="r"),
    }[verb]
    if allowed:
        call()
    else:
        with pytest.raises(InvalidTransition):
            call()
        unit.refresh_from_db()
        assert unit.status == start


def test_only_bureau_staff_decide():
    unit = UnitFactory(status="pending")
    admin = MembershipFactory(unit=unit, role="admin").user
    with pytest.raises(PermissionDenied):
        services.unit_approve(actor=admin, unit=unit)
    staff_not_bureau = UserFactory(is_staff=True)
    with pytest.raises(PermissionDenied):
        services.unit_approve(actor=staff_not_bureau, unit=unit)


def test_a_failing_mail_server_never_loses_the_decision(officer, django_capture_on_commit_callbacks):
    unit = UnitFactory(status="pending")
    MembershipFactory(unit=unit, role="admin")
    with (
        mock.patch("django.core.mail.send_mail", side_effect=ConnectionRefusedError("smtp down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.unit_approve(actor=officer, unit=unit)
    unit.refresh_from_db()
    assert unit.status == Unit.Status.APPROVED
    note = Notification.objects.get()
    assert note.sent_at is None and note.attempts == 1 and "smtp down" in note.last_error

    # The mail server is back: the periodic flush delivers what was kept.
    from members.tasks import notifications_flush_task

    assert notifications_flush_task(older_than_seconds=0) == 1
    note.refresh_from_db()
    assert note.sent_at is not None
    assert len(mail.outbox) == 1


def test_delivery_is_idempotent(officer, django_capture_on_commit_callbacks):
    unit = UnitFactory(status="pending")
    MembershipFactory(unit=unit, role="admin")
    with django_capture_on_commit_callbacks(execute=True):
        services.unit_approve(actor=officer, unit=unit)
    note = Notification.objects.get()
    assert services.notification_deliver(notification_id=note.pk) is False
    assert len(mail.outbox) == 1


def test_join_request_accept_and_roles():
    unit = UnitFactory()
    admin = MembershipFactory(unit=unit, role="admin").user
    joiner = UserFactory()
    membership = services.membership_request(user=joiner, unit=unit)
    assert membership.status == "pending"
    assert Notification.objects.filter(recipient=admin).exists()
    with pytest.raises(DomainError):
        services.membership_request(user=joiner, unit=unit)

    services.membership_accept(actor=admin, membership=membership, role="manager")
    membership.refresh_from_db()
    assert (membership.status, membership.role) == ("active", "manager")
    assert Notification.objects.filter(recipient=joiner).exists()


def test_join_request_decline_then_ask_again():
    unit = UnitFactory()
    admin = MembershipFactory(unit=unit, role="admin").user
    joiner = UserFactory()
    m = services.membership_request(user=joiner, unit=unit)
    services.membership_decline(actor=admin, membership=m)
    m.refresh_from_db()
    assert m.status == "declined"
    again = services.membership_request(user=joiner, unit=unit)
    assert again.pk == m.pk and again.status == "pending"


def test_pending_units_accept_no_members():
    with pytest.raises(DomainError):
        services.membership_request(user=UserFactory(), unit=UnitFactory(status="pending"))


def test_the_last_administrator_cannot_leave_or_be_demoted():
    unit = UnitFactory()
    admin_m = MembershipFactory(unit=unit, role="admin")
    with pytest.raises(DomainError):
        services.membership_set_role(actor=admin_m.user, membership=admin_m, role="member")
    with pytest.raises(DomainError):
        services.membership_remove(actor=admin_m.user, membership=admin_m)
    second = MembershipFactory(unit=unit, role="admin")
    services.membership_set_role(actor=second.user, membership=admin_m, role="member")
    admin_m.refresh_from_db()
    assert admin_m.role == "member"


def test_members_and_managers_cannot_manage_people():
    unit = UnitFactory()
    manager = MembershipFactory(unit=unit, role="manager").user
    pending = services.membership_request(user=UserFactory(), unit=unit)
    with pytest.raises(PermissionDenied):
        services.membership_accept(actor=manager, membership=pending)


def test_credit_code_is_fixed_after_review():
    unit = UnitFactory(status="approved")
    admin = MembershipFactory(unit=unit, role="admin").user
    with pytest.raises(DomainError):
        services.unit_update(actor=admin, unit=unit, credit_code=valid_credit_code(777))
    services.unit_update(actor=admin, unit=unit, address="新地址")
    unit.refresh_from_db()
    assert unit.address == "新地址"


# --- Notifications in the reader's language ---------------------------------------------------


def rendered(note: Notification, language: str) -> str:
    with override(language):
        return f"{note.subject}\n{note.body}"


def test_a_notification_is_stored_untranslated_and_read_in_either_language(officer):
    unit = UnitFactory(status="pending", name="包头检测中心")
    admin = MembershipFactory(unit=unit, role="admin").user
    services.unit_reject(actor=officer, unit=unit, reason="营业执照照片不清晰")
    note = Notification.objects.get(recipient=admin)
    assert note.subject_msgid == "Your member unit “%(unit)s” is now %(status)s"
    assert note.params["status"] == {"_msgid": "Rejected"}  # the label, translated when read
    chinese, english = rendered(note, "zh-hans"), rendered(note, "en")
    assert "现为：已驳回" in chinese and "营业执照照片不清晰" in chinese and "Rejected" not in chinese
    assert "is now Rejected" in english and "营业执照照片不清晰" in english and "已驳回" not in english


def test_the_email_goes_out_in_each_recipient_language(officer, django_capture_on_commit_callbacks):
    unit = UnitFactory(status="pending", name="包头检测中心")
    MembershipFactory(unit=unit, role="admin", user=UserFactory(email="zh@example.cn"))
    MembershipFactory(unit=unit, role="admin", user=UserFactory(email="en@example.cn", language="en"))
    with override("en"), django_capture_on_commit_callbacks(execute=True):  # the officer reads English
        services.unit_approve(actor=officer, unit=unit)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["zh@example.cn"].subject == "您的会员单位“包头检测中心”现为：已批准"
    assert "Approved" not in by_address["zh@example.cn"].body
    assert by_address["en@example.cn"].subject == "Your member unit “包头检测中心” is now Approved"
    assert "已批准" not in by_address["en@example.cn"].body


def test_membership_messages_read_in_either_language():
    unit = UnitFactory(name="包头检测中心")
    admin = MembershipFactory(unit=unit, role="admin").user
    joiner = UserFactory(name="周杰")
    m = services.membership_request(user=joiner, unit=unit)
    asked = Notification.objects.get(recipient=admin)
    assert "周杰 申请加入 包头检测中心" in rendered(asked, "zh-hans")
    assert "周杰 asks to join 包头检测中心" in rendered(asked, "en")

    services.membership_accept(actor=admin, membership=m, role="manager")
    joined = Notification.objects.filter(recipient=joiner).latest("pk")
    assert "您已加入 包头检测中心" in rendered(joined, "zh-hans") and "仪器管理员" in rendered(joined, "zh-hans")
    english = rendered(joined, "en")
    assert "You have joined 包头检测中心" in english and "your role is Instrument manager" in english

    other = services.membership_request(user=UserFactory(), unit=unit)
    services.membership_decline(actor=admin, membership=other)
    declined = Notification.objects.filter(recipient=other.user).latest("pk")
    assert "您加入 包头检测中心 的申请被拒绝" in rendered(declined, "zh-hans")
    assert "Your request to join 包头检测中心 was declined" in rendered(declined, "en")


def test_a_row_written_before_translation_shows_its_literal_text():
    note = Notification.objects.create(
        recipient=UserFactory(), subject_msgid="旧通知 100%", body_msgid="中文\n\nEnglish %(x)s", params=None
    )
    assert rendered(note, "en") == "旧通知 100%\n中文\n\nEnglish %(x)s"
    assert rendered(note, "zh-hans") == rendered(note, "en")


# --- Membership transitions ------------------------------------------------------------------


def test_membership_steps_go_through_the_transition_map():
    unit = UnitFactory()
    admin = MembershipFactory(unit=unit, role="admin").user
    m = services.membership_request(user=UserFactory(), unit=unit)
    services.membership_accept(actor=admin, membership=m)
    with pytest.raises(InvalidTransition):
        services.membership_accept(actor=admin, membership=m)
    with pytest.raises(InvalidTransition):
        services.membership_decline(actor=admin, membership=m)
    m.refresh_from_db()
    assert m.status == "active"
    latest = m.history.latest()
    assert (latest.status, latest.history_user, latest.history_change_reason) == ("active", admin, "active")


def test_asking_again_after_a_refusal_is_recorded_in_the_history():
    unit = UnitFactory()
    admin = MembershipFactory(unit=unit, role="admin").user
    joiner = UserFactory()
    m = services.membership_request(user=joiner, unit=unit)
    services.membership_decline(actor=admin, membership=m)
    services.membership_request(user=joiner, unit=unit)
    history = list(m.history.order_by("history_id").values_list("status", "history_user", "history_change_reason"))
    assert history[-2:] == [("declined", admin.pk, "declined"), ("pending", joiner.pk, "pending")]


# --- Account --------------------------------------------------------------------------------------


def test_a_person_chooses_the_language_of_their_emails():
    user = UserFactory()
    assert user.language == "zh-hans"
    services.user_update(user=user, language="en", name=" 周杰 ")
    user.refresh_from_db()
    assert (user.language, user.name) == ("en", "周杰")
    with pytest.raises(ValidationError):
        services.user_update(user=user, language="fr")
    with pytest.raises(TypeError):
        services.user_update(user=user, email="x@example.cn")
