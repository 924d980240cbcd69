"""Each person chooses the language of the e-mails they receive (Chinese unless they change it)."""

import members.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(
                choices=members.models.language_choices,
                default="zh-hans",
                max_length=10,
                verbose_name="language of e-mails",
            ),
        ),
    ]
