"""A small subsidy world: a university provider with a TEM in 包头市, an enterprise applicant with
its administrator, a bureau officer who decides and a finance officer who may also pay."""

import pytest
from django.contrib.auth.models import Permission

from members.models import Unit
from tests.bookings.factories import member_of
from tests.factories import UnitFactory

from .factories import InstrumentFactory, ProgrammeFactory


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def provider(db):
    return UnitFactory(name="内蒙古科技大学")


@pytest.fixture
def provider_manager(provider):
    return member_of(provider, role="manager", name="赵磊")


@pytest.fixture
def tem(provider):
    return InstrumentFactory(unit=provider, name="透射电子显微镜", city="包头市")


@pytest.fixture
def enterprise(db):
    return UnitFactory(name="包头稀宝新材料科技有限公司", unit_type=Unit.Type.ENTERPRISE, scale=Unit.Scale.SMALL)


@pytest.fixture
def admin(enterprise):
    return member_of(enterprise, role="admin", name="王芳")


@pytest.fixture
def programme(db):
    return ProgrammeFactory()


@pytest.fixture
def payer(bureau_group):
    """A finance officer: bureau staff who also hold the separate permission to mark paid."""
    from tests.factories import UserFactory

    user = UserFactory(is_staff=True, name="财务处")
    user.groups.add(bureau_group)
    user.user_permissions.add(Permission.objects.get(codename="pay_application"))
    return type(user).objects.get(pk=user.pk)  # a fresh object: no cached permissions
