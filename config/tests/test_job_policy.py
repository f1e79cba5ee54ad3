"""The background-job policy (docs/ARCHITECTURE.md) holds for every task of ours: bounded in
time, soft limit before the hard one, both under the broker's visibility timeout."""

from django.conf import settings

from config.celery import app

APPS = ("accounts.", "projects.", "tasks.", "dashboard.", "notifications.", "integrations.", "outbox.")


def _our_tasks() -> dict:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if name.startswith(APPS)}


def test_every_task_has_a_soft_and_a_hard_time_limit_under_the_visibility_timeout():
    tasks = _our_tasks()
    assert len(tasks) >= 10, sorted(tasks)
    for name, task in tasks.items():
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        assert soft and hard, name
        assert 0 < soft < hard < settings.CELERY_BROKER_VISIBILITY_TIMEOUT, (name, soft, hard)


def test_the_calendar_sync_has_longer_limits_than_the_default():
    tasks = _our_tasks()
    sync = tasks["integrations.tasks.sync_user_calendar_task"]
    assert (sync.soft_time_limit, sync.time_limit) == (900, 960)
    assert (app.conf.task_soft_time_limit, app.conf.task_time_limit) == (300, 360)
