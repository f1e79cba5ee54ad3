"""Rendering and sending a templated e-mail (HTML + text) from ``templates/emails/``."""

from collections.abc import Mapping
from typing import Any, cast

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, engines
from django.template.backends.django import DjangoTemplates
from django.template.loader import render_to_string


def send_templated_email(
    *,
    template: str,
    to: list[str],
    context: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
) -> None:
    full_context = {"frontend_url": settings.FRONTEND_URL, **context}
    subject = render_plain_text(f"emails/{template}_subject.txt", full_context).strip()
    text = render_plain_text(f"emails/{template}.txt", full_context)
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


def render_plain_text(name: str, context: Mapping[str, Any]) -> str:
    """Plain text is not HTML: no escaping, so "O'Brien" and "?a=1&b=2" arrive as written."""
    template = cast(DjangoTemplates, engines["django"]).engine.get_template(name)
    return template.render(Context(dict(context), autoescape=False))
