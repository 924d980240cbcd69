"""Seed the instrument classification from shared/DOMAIN.md §2."""

from django.db import migrations


def seed(apps, schema_editor):
    from instruments.classification import CLASSIFICATION

    Category = apps.get_model("instruments", "Category")
    for code, name, name_en, children in CLASSIFICATION:
        parent, _ = Category.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
        for child_code, child_name, child_en in children:
            Category.objects.get_or_create(
                code=child_code, defaults={"name": child_name, "name_en": child_en, "parent": parent}
            )


class Migration(migrations.Migration):
    dependencies = [("instruments", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
