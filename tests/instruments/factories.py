"""Factories for the instrument registry, and real image files made with Pillow."""

import io
import os
from datetime import date, time
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from instruments.models import Category, FeeItem, Instrument, OpeningHours
from tests.factories import UnitFactory


class TopCategoryFactory(factory.django.DjangoModelFactory):
    """A 大类; the seeded rows are reused (flushed databases get them back)."""

    class Meta:
        model = Category
        django_get_or_create = ["code"]

    code = "01"
    name = "分析仪器"
    name_en = "Analytical instruments"
    parent = None


class CategoryFactory(factory.django.DjangoModelFactory):
    """A 中类 under a 大类; electron optics unless told otherwise."""

    class Meta:
        model = Category
        django_get_or_create = ["code"]

    code = "0101"
    name = "电子光学仪器"
    name_en = "Electron optics"
    parent = factory.SubFactory(TopCategoryFactory)


class InstrumentFactory(factory.django.DjangoModelFactory):
    """A complete national record of a field-emission SEM, owned by an approved unit."""

    class Meta:
        model = Instrument
        skip_postgeneration_save = True

    unit = factory.SubFactory(UnitFactory)
    asset_number = factory.Sequence(lambda n: f"ZC-2021-{n:05d}")
    name = "场发射扫描电子显微镜"
    name_en = "Field-emission scanning electron microscope"
    category = factory.SubFactory(CategoryFactory)
    source = Instrument.Source.PURCHASED
    customs_supervised = False
    original_value = Decimal("3850000.00")
    country_of_origin = "日本"
    manufacturer = "日本电子株式会社"
    model = "JSM-7900F"
    commissioned_on = date(2021, 6, 18)
    technical_indicators = "分辨率 0.6 nm (15 kV)；放大倍数 25–1,000,000"
    functions = "材料表面形貌观察与微区成分分析"
    subject_areas = "材料科学；物理学"
    service_content = "样品测试、数据分析"
    operating_status = Instrument.OperatingStatus.NORMAL
    sharing_mode = Instrument.SharingMode.EXTERNAL
    contact_person = "王工"
    contact_phone = "0472-5951234"
    contact_email = "sem@example.cn"

    @factory.post_generation
    def _search_document(obj, create, extracted, **kwargs):
        from instruments.search import search_document_for

        obj.search_document = search_document_for(obj)
        if create:
            Instrument.objects.filter(pk=obj.pk).update(search_document=obj.search_document)


class FeeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeeItem

    instrument = factory.SubFactory(InstrumentFactory)
    name = "形貌观察"
    basis = FeeItem.Basis.HOUR
    internal_price = Decimal("200.00")
    external_price = Decimal("400.00")


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    instrument = factory.SubFactory(InstrumentFactory)
    weekday = OpeningHours.Weekday.MONDAY
    opens = time(8, 30)
    closes = time(12, 0)


def image_bytes(fmt: str = "PNG", size=(640, 480), noise: bool = False) -> bytes:
    """A real image in the given format; ``noise`` makes it incompressible (big files)."""
    if noise:
        img = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        img = Image.new("RGB", size, (30, 110, 170))
    buffer = io.BytesIO()
    img.save(buffer, format=fmt)
    return buffer.getvalue()


def image_upload(fmt: str = "PNG", size=(640, 480), name: str | None = None, noise: bool = False):
    """An uploaded image file, as a browser would send it."""
    ext = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "BMP": "bmp"}[fmt]
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "BMP": "image/bmp"}[fmt]
    return SimpleUploadedFile(name or f"photo.{ext}", image_bytes(fmt, size, noise), content_type=content_type)


def text_renamed_jpg(name: str = "photo.jpg"):
    """A text file whose name and content type claim it is a JPEG."""
    return SimpleUploadedFile(name, "这不是图片，只是一段文字。\n".encode() * 50, content_type="image/jpeg")
