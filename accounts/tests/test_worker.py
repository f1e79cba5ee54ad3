"""The e-mail path through the real broker: a registration enqueues on commit into Redis and
a Celery worker (in a thread of this process) sends the e-mail."""

import pytest
from django.core import mail

from config.celery import app as celery_app
from config.tests.helpers import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_registration_email_goes_through_the_broker(api_client, real_worker):
    assert celery_app.conf.broker_url.startswith("redis://")
    assert celery_app.conf.task_always_eager is False

    response = api_client.post(
        "/api/v1/auth/register",
        {"email": "queue@example.com", "username": "queue", "password": "Secret-pass1"},
        format="json",
    )

    assert response.status_code == 201
    assert wait_for(lambda: len(mail.outbox) == 1), "the worker sent no e-mail"
    assert mail.outbox[0].to == ["queue@example.com"]
    assert "/verify-email?token=" in mail.outbox[0].body
