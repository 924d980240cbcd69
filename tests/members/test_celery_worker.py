"""The bureau's decision is e-mailed by a real Celery worker consuming from real Redis."""

import pytest
from django.core import mail

from members import services
from members.models import Notification, Unit
from tests.conftest import wait_for
from tests.factories import MembershipFactory, UnitFactory, UserFactory


@pytest.mark.celery_worker
def test_a_real_worker_emails_the_decision(celery_worker, officer):
    unit = UnitFactory(status=Unit.Status.PENDING)
    applicant = UserFactory(email="applicant@example.cn")
    MembershipFactory(unit=unit, user=applicant, role="admin")

    services.unit_reject(actor=officer, unit=unit, reason="统一社会信用代码与营业执照不符")

    note = Notification.objects.get(recipient=applicant)
    assert wait_for(lambda: Notification.objects.filter(pk=note.pk, sent_at__isnull=False).exists())
    assert [m.to for m in mail.outbox] == [["applicant@example.cn"]]
    assert "统一社会信用代码与营业执照不符" in mail.outbox[0].body
