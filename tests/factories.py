"""One factory per model."""

import factory
from django.contrib.auth import get_user_model

from members.models import District, Membership, Unit, UnitGroup
from members.validators import credit_code_check_character

PASSWORD = "correct-horse-battery-9"


def valid_credit_code(n: int) -> str:
    first17 = f"91150200MA{n:07d}"
    return first17 + credit_code_check_character(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    name = factory.Sequence(lambda n: f"用户{n}")
    phone = "13800000000"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"1502{n:02d}")
    name = factory.Sequence(lambda n: f"第{n}区")
    name_en = factory.Sequence(lambda n: f"District {n}")


class UnitGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitGroup

    name = factory.Sequence(lambda n: f"测试控股集团{n}")
    controller = factory.Sequence(lambda n: f"实际控制人{n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    short_name = factory.Sequence(lambda n: f"单位{n}")
    credit_code = factory.Sequence(valid_credit_code)
    unit_type = Unit.Type.UNIVERSITY
    district = factory.SubFactory(DistrictFactory)
    address = "阿尔丁大街7号"
    contact_person = "联系人"
    phone = "0472-5951234"
    email = factory.Sequence(lambda n: f"unit{n}@example.cn")
    status = Unit.Status.APPROVED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Membership.Role.MEMBER
    status = Membership.Status.ACTIVE
