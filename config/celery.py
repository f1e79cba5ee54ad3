"""The Celery application: configuration from Django settings (CELERY_*), tasks per app.

The request id travels with a task: published with the id of the request (or task) that
started it, restored in the worker for the task's run, so the task's log lines carry it too.
"""

from typing import Any

from celery import Celery, Task
from celery.signals import before_task_publish, task_postrun, task_prerun

from config.logging import request_id_var
from config.settings_module import select_settings_module

select_settings_module()

app = Celery("taskflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

REQUEST_ID_HEADER = "request_id"


@before_task_publish.connect
def add_request_id_header(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


@task_prerun.connect
def restore_request_id(task: Task | None = None, **_: Any) -> None:
    request_id = getattr(task.request, REQUEST_ID_HEADER, None) if task is not None else None
    if task is not None and request_id:
        task.request.request_id_token = request_id_var.set(str(request_id))


@task_postrun.connect
def forget_request_id(task: Task | None = None, **_: Any) -> None:
    token = getattr(task.request, "request_id_token", None) if task is not None else None
    if token is not None:
        request_id_var.reset(token)
        task.request.request_id_token = None  # type: ignore[union-attr]
