"""ImportJob on the background-job base (``core.jobs``): ``message`` becomes ``error``; progress,
started_at and a history of status steps are added. Existing rows keep their data: their
progress is computed from the rows processed, and their start is taken to be their upload."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def fill_progress(apps, schema_editor):
    ImportJob = apps.get_model("instruments", "ImportJob")
    for job in ImportJob.objects.all().only("pk", "status", "processed_rows", "total_rows", "created_at"):
        if job.status in ("validating", "importing") and job.total_rows:
            progress = min(100, (100 * job.processed_rows) // job.total_rows)
        else:
            progress = 0 if job.status in ("validating", "importing") else 100
        ImportJob.objects.filter(pk=job.pk).update(progress=progress, started_at=job.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("instruments", "0004_search_indexes"),
        ("members", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="importjob", old_name="message", new_name="error"),
        migrations.CreateModel(
            name="HistoricalImportJob",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "progress",
                    models.PositiveSmallIntegerField(
                        default=0,
                        validators=[django.core.validators.MaxValueValidator(100)],
                        verbose_name="progress (%)",
                    ),
                ),
                ("error", models.TextField(blank=True, verbose_name="error")),
                ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="created at")),
                ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="started at")),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished at")),
                ("kind", models.CharField(default="instruments", max_length=30, verbose_name="kind")),
                ("file", models.TextField(max_length=100, verbose_name="file")),
                ("original_name", models.CharField(max_length=200, verbose_name="file name")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("validating", "Checking the file"),
                            ("validated", "Checked, waiting for confirmation"),
                            ("importing", "Importing"),
                            ("done", "Imported"),
                            ("failed", "Failed"),
                            ("cancelled", "Cancelled"),
                        ],
                        db_index=True,
                        default="validating",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("total_rows", models.PositiveIntegerField(default=0, verbose_name="rows")),
                ("processed_rows", models.PositiveIntegerField(default=0, verbose_name="rows processed")),
                ("to_create", models.PositiveIntegerField(default=0, verbose_name="rows to create")),
                ("to_update", models.PositiveIntegerField(default=0, verbose_name="rows to update")),
                ("error_count", models.PositiveIntegerField(default=0, verbose_name="rows with errors")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
            ],
            options={
                "verbose_name": "historical import",
                "verbose_name_plural": "historical imports",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name="importjob",
            name="progress",
            field=models.PositiveSmallIntegerField(
                default=0, validators=[django.core.validators.MaxValueValidator(100)], verbose_name="progress (%)"
            ),
        ),
        migrations.AddField(
            model_name="importjob",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="started at"),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="started by",
            ),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="error",
            field=models.TextField(blank=True, verbose_name="error"),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="status",
            field=models.CharField(
                choices=[
                    ("validating", "Checking the file"),
                    ("validated", "Checked, waiting for confirmation"),
                    ("importing", "Importing"),
                    ("done", "Imported"),
                    ("failed", "Failed"),
                    ("cancelled", "Cancelled"),
                ],
                db_index=True,
                default="validating",
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(fill_progress, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="importjob",
            constraint=models.CheckConstraint(
                condition=models.Q(("progress__lte", 100)), name="instruments_importjob_progress_0_100"
            ),
        ),
        migrations.AddField(
            model_name="historicalimportjob",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="started by",
            ),
        ),
        migrations.AddField(
            model_name="historicalimportjob",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="historicalimportjob",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="members.unit",
                verbose_name="unit",
            ),
        ),
    ]
