"""Rendering and sending a templated e-mail (HTML + text) from ``templates/emails/``."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated_email(
    *,
    template: str,
    to: list[str],
    context: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
) -> None:
    full_context = {"frontend_url": settings.FRONTEND_URL, **context}
    subject = render_to_string(f"emails/{template}_subject.txt", full_context).strip()
    text = render_to_string(f"emails/{template}.txt", full_context)
    html = render_to_string(f"emails/{template}.html", full_context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers=dict(headers or {}),
    )
    message.attach_alternative(html, "text/html")
    message.send()
