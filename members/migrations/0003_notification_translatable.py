"""Notifications keep their message untranslated (msgid and parameters) and render it per reader.

The columns are renamed, not replaced, so the text of older rows is kept; their ``params`` stay
NULL, which marks them as literal text shown as it is.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_user_language"),
    ]

    operations = [
        migrations.RenameField(model_name="notification", old_name="subject", new_name="subject_msgid"),
        migrations.RenameField(model_name="notification", old_name="body", new_name="body_msgid"),
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, null=True, verbose_name="message parameters"),
        ),
    ]
