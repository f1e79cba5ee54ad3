from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from tasks.models import Status, Task

pytestmark = pytest.mark.django_db


def seed() -> tuple[str, str]:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    return text, text.split("password: ")[1].split()[0]


def test_seed_demo_creates_a_user_with_a_board(api_client):
    text, password = seed()

    response = api_client.post(
        "/api/v1/auth/login", {"email": "demo@taskflow.local", "password": password}, format="json"
    )

    assert "email:    demo@taskflow.local" in text
    assert response.status_code == 200
    user = User.objects.get(email="demo@taskflow.local")
    tasks = Task.objects.filter(owner=user)
    assert user.projects.count() == 3
    assert set(tasks.values_list("status", flat=True)) == {Status.TODO, Status.IN_PROGRESS, Status.DONE}
    now = timezone.now()
    open_tasks = tasks.exclude(status=Status.DONE)
    assert open_tasks.filter(due_at__lt=now).exists()
    assert open_tasks.filter(due_at__gte=now, due_at__lt=now + timezone.timedelta(days=1)).exists()
    assert open_tasks.filter(due_on__isnull=False).exists()
    assert tasks.filter(recurrence__isnull=False).count() == 3
    assert sorted(t.reminder_offsets for t in tasks.exclude(reminder_offsets=[])) == [[30], [60, 1440], [120]]
    assert sorted(user.labels.values_list("name", flat=True)) == [
        "chores",
        "errands",
        "milestone",
        "money",
        "waiting",
        "writing",
    ]
    assert tasks.filter(label_links__isnull=False).distinct().count() == 7
    pricing = tasks.get(title="Build the pricing page")
    assert (pricing.checklist_total, pricing.checklist_done) == (4, 2)
    assert list(pricing.checklist_items.order_by("position").values_list("position", "done")) == [
        (0, True),
        (1, True),
        (2, False),
        (3, False),
    ]
    assert tasks.filter(checklist_total__gt=0).count() == 3
    for project in user.projects.all():
        for status in Status.values:
            positions = list(
                tasks.filter(project=project, status=status)
                .order_by("place__position")
                .values_list("place__position", flat=True)
            )
            assert positions == list(range(len(positions)))


def test_seed_demo_twice_resets_password_and_board(api_client):
    _, first = seed()
    text, _second = seed()

    assert "password reset" in text
    assert User.objects.filter(email="demo@taskflow.local").count() == 1
    assert Task.objects.count() == 17  # the demo board: 17 tasks
    old = api_client.post(
        "/api/v1/auth/login", {"email": "demo@taskflow.local", "password": first}, format="json"
    )
    assert old.status_code == 401
