"""Groups of related units under one actual controller, and each unit's bureau-confirmed membership.

Every existing unit starts in no group (``group`` NULL, ``group_confirmed`` False).
"""

import django.db.models.deletion
import django.db.models.functions.text
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0003_notification_translatable'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalunit',
            name='group_confirmed',
            field=models.BooleanField(default=False, verbose_name='group membership confirmed by the bureau'),
        ),
        migrations.AddField(
            model_name='unit',
            name='group_confirmed',
            field=models.BooleanField(default=False, verbose_name='group membership confirmed by the bureau'),
        ),
        migrations.CreateModel(
            name='HistoricalUnitGroup',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('name', models.CharField(db_index=True, max_length=100, verbose_name='group name')),
                ('controller', models.CharField(max_length=100, verbose_name='actual controller')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical group of related units',
                'verbose_name_plural': 'historical groups of related units',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='UnitGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True, verbose_name='group name')),
                ('controller', models.CharField(max_length=100, verbose_name='actual controller')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
            ],
            options={
                'verbose_name': 'group of related units',
                'verbose_name_plural': 'groups of related units',
                'ordering': ['name'],
                'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('name'), name='unitgroup_unique_name_ci')],
            },
        ),
        migrations.AddField(
            model_name='historicalunit',
            name='group',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='members.unitgroup', verbose_name='group of related units'),
        ),
        migrations.AddField(
            model_name='unit',
            name='group',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='units', to='members.unitgroup', verbose_name='group of related units'),
        ),
    ]
