"""The national averages per instrument of DOMAIN.md §5, and the settings row with its defaults."""

from decimal import Decimal

from django.db import migrations

AVERAGES = [
    (2019, "1440.0", "240.0", "国家科技基础条件平台中心：2019 年度评价考核"),
    (2024, "1511.0", "256.0", "国家科技基础条件平台中心：2024 年度评价考核"),
    (2025, "1599.0", "273.0", "国家科技基础条件平台中心：2025 年度评价考核"),
]


def seed(apps, schema_editor):
    NationalAverage = apps.get_model("reports", "NationalAverage")
    for year, effective, external, source in AVERAGES:
        NationalAverage.objects.get_or_create(
            year=year,
            defaults={"effective_hours": Decimal(effective), "external_hours": Decimal(external), "source": source},
        )
    apps.get_model("reports", "ReportSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
