"""Which e-mail delivery failures are worth another attempt: one classification for every
e-mail the system sends (account e-mails and notification e-mails alike).

Transient: the message was certainly not accepted (no connection, HTTP 429/5xx from the ESP,
an SMTP 4xx). Ambiguous: the request reached the ESP but no answer came back, so it may have
accepted the message and a retry could send a second copy (a second reset link, a second
reminder): final, never retried. Anything else (a permanent refusal, a bug) is final too."""

import smtplib

import botocore.exceptions
import requests
from anymail.exceptions import AnymailAPIError


class TransientDeliveryError(Exception):
    """An attempt failed in a way worth retrying; raised so that Celery retries the task."""


AMBIGUOUS = (botocore.exceptions.ReadTimeoutError, requests.exceptions.ReadTimeout, TimeoutError)


def _http_status(exc: AnymailAPIError) -> int | None:
    if exc.status_code:
        return int(exc.status_code)
    # Amazon SES: the botocore ClientError behind the anymail error carries the status.
    response = getattr(exc.__cause__, "response", None)
    if isinstance(response, dict):
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return int(status) if status else None
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def is_ambiguous(exc: Exception) -> bool:
    return any(isinstance(link, AMBIGUOUS) for link in _chain(exc))


def is_transient(exc: Exception) -> bool:
    if is_ambiguous(exc):
        return False
    if isinstance(exc, (ConnectionError, smtplib.SMTPServerDisconnected)):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, AnymailAPIError):
        status = _http_status(exc)
        return status is None or status == 429 or status >= 500
    return False
