"""The notification migration keeps old messages: their text stays and is shown as it is."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import override


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_old_notifications_keep_their_literal_text():
    executor = MigrationExecutor(connection)
    executor.migrate([("members", "0001_initial")])
    old = executor.loader.project_state([("members", "0001_initial")]).apps
    user = old.get_model("members", "User").objects.create(email="old@example.cn", name="老用户")
    old.get_model("members", "Notification").objects.create(
        recipient_id=user.pk, subject="您的单位已批准 100%", body="中文正文\n\nEnglish text"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from members.models import Notification, User

    assert User.objects.get(pk=user.pk).language == "zh-hans"
    note = Notification.objects.get(recipient_id=user.pk)
    assert note.params is None
    with override("en"):
        assert (note.subject, note.body) == ("您的单位已批准 100%", "中文正文\n\nEnglish text")
