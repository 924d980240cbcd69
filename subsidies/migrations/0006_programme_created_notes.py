"""A programme's first history row said "created (qingdao)" or "created (by hand)", which the
admin showed as it was, in English, on Chinese pages too. It now says "created: qingdao", which
``core.transitions.history_note`` shows as "已创建：青岛（后补助）" / "Created: Qingdao
(reimbursement)" (``Programme.reason_note``); this rewrites the rows written before."""

import re

from django.db import migrations

OLD = re.compile(r"^created \(([a-z_ ]+)\)$")


def rewrite(apps, schema_editor):
    HistoricalProgramme = apps.get_model("subsidies", "HistoricalProgramme")
    rows = HistoricalProgramme.objects.filter(history_change_reason__startswith="created (")
    for row in rows.only("pk", "history_change_reason"):
        match = OLD.match(row.history_change_reason)
        if match:
            row.history_change_reason = f"created: {match.group(1)}"
            row.save(update_fields=["history_change_reason"])


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0005_voucher_labels")]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
