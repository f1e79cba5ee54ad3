import re

from django.core import mail

LINK_TOKEN = re.compile(r"\?token=([A-Za-z0-9_\-]+)")


def token_from_last_email(to: str) -> str:
    """The one-time token in the link of the newest e-mail sent to ``to``."""
    message = next(m for m in reversed(mail.outbox) if to in m.to)
    match = LINK_TOKEN.search(str(message.body))
    assert match, message.body
    return match.group(1)
