"""Templated e-mail: subject, text and HTML rendered from templates/emails/ (locmem backend)."""

import pytest
from django.conf import settings
from django.core import mail
from django.template import TemplateDoesNotExist
from django.test import override_settings

from config.email import send_templated_email

LINK = "http://localhost:5173/verify-email?token=abc123"


def send_verification(**overrides: object) -> mail.EmailMultiAlternatives:
    arguments: dict = {
        "template": "verify_email",
        "to": ["alice@example.com"],
        "context": {"user": {"username": "alice"}, "link": LINK, "hours": 72},
        "headers": {"List-Unsubscribe": "<https://api.example.com/unsubscribe>", "X-Taskflow": "1"},
        **overrides,
    }
    send_templated_email(**arguments)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert isinstance(message, mail.EmailMultiAlternatives)
    return message


def test_renders_subject_text_and_html_with_the_context() -> None:
    message = send_verification()

    assert message.subject == "Confirm your e-mail address for Taskflow"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.to == ["alice@example.com"]
    assert "Hi alice," in message.body
    assert LINK in message.body
    assert "expires in 72 hours" in message.body
    assert "<" not in message.body
    assert len(message.alternatives) == 1
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "<p>Hi alice,</p>" in str(html)
    assert f'href="{LINK}"' in str(html)
    assert "expires in 72 hours" in str(html)


def test_headers_are_sent() -> None:
    message = send_verification()

    assert message.extra_headers == {
        "List-Unsubscribe": "<https://api.example.com/unsubscribe>",
        "X-Taskflow": "1",
    }
    rendered = message.message()
    assert rendered["List-Unsubscribe"] == "<https://api.example.com/unsubscribe>"
    assert rendered["Subject"] == "Confirm your e-mail address for Taskflow"


def test_no_headers_is_fine() -> None:
    message = send_verification(headers=None)

    assert message.extra_headers == {}


def test_context_values_are_escaped_in_html_only() -> None:
    link = "https://app.example.com/verify-email?token=a1&source=mail"
    message = send_verification(context={"user": {"username": "O'Brien <b>"}, "link": link, "hours": 72})

    html = str(message.alternatives[0][0])
    assert "<p>Hi O&#x27;Brien &lt;b&gt;,</p>" in html
    assert 'href="https://app.example.com/verify-email?token=a1&amp;source=mail"' in html
    assert "Hi O'Brien <b>," in message.body
    assert f"\n{link}\n" in message.body


def test_unknown_template_sends_nothing() -> None:
    with pytest.raises(TemplateDoesNotExist):
        send_templated_email(template="no_such_email", to=["a@example.com"], context={})

    assert mail.outbox == []


def test_a_multi_line_subject_becomes_one_line(tmp_path) -> None:
    emails = tmp_path / "emails"
    emails.mkdir()
    (emails / "digest_subject.txt").write_text("  Your digest\n  for {{ day }}\n")
    (emails / "digest.txt").write_text("Tasks due {{ day }}: {{ count }}")
    (emails / "digest.html").write_text("<p>Tasks due {{ day }}: {{ count }}</p>")
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]

    with override_settings(TEMPLATES=templates):
        send_templated_email(template="digest", to=["a@example.com"], context={"day": "Monday", "count": 3})

    message = mail.outbox[0]
    assert message.subject == "Your digest for Monday"
    assert message.body == "Tasks due Monday: 3"
