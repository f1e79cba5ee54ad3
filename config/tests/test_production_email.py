"""Production e-mail settings: Amazon SES by default, SendGrid by setting, and https
unsubscribe links pointing at the API itself."""

from collections.abc import Callable
from types import ModuleType

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.tests.test_settings import good_secrets

Loader = Callable[[str], ModuleType]


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name, value in good_secrets().items():
        monkeypatch.setenv(name, value)
    for name in ("EMAIL_ESP", "EMAIL_BACKEND", "SENDGRID_API_KEY", "API_PUBLIC_URL", "SENDGRID_API_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_amazon_ses_is_the_default_and_links_use_the_first_host(
    fresh_settings: Loader, production_env
) -> None:
    production = fresh_settings("config.settings.production")

    assert production.EMAIL_BACKEND == "anymail.backends.amazon_ses.EmailBackend"
    assert production.API_PUBLIC_URL == "https://api.example.com"


def test_sendgrid_by_setting_needs_its_key(fresh_settings: Loader, production_env) -> None:
    production_env.setenv("EMAIL_ESP", "sendgrid")
    with pytest.raises(ImproperlyConfigured, match=r"^SENDGRID_API_KEY must be set"):
        fresh_settings("config.settings.production")

    production_env.setenv("SENDGRID_API_KEY", "SG.test-key")
    production = fresh_settings("config.settings.production")

    assert production.EMAIL_BACKEND == "anymail.backends.sendgrid.EmailBackend"
    assert production.ANYMAIL["SENDGRID_API_KEY"] == "SG.test-key"


def test_an_unknown_esp_stops_start_up(fresh_settings: Loader, production_env) -> None:
    production_env.setenv("EMAIL_ESP", "mailchimp")

    with pytest.raises(ImproperlyConfigured, match=r"^EMAIL_ESP must be one of amazon_ses, sendgrid"):
        fresh_settings("config.settings.production")


@pytest.mark.parametrize(("hosts", "url"), [("api.example.com", "http://api.example.com"), ("*", None)])
def test_unsubscribe_links_must_be_https(fresh_settings: Loader, production_env, hosts, url) -> None:
    production_env.setenv("ALLOWED_HOSTS", hosts)
    if url:
        production_env.setenv("API_PUBLIC_URL", url)

    with pytest.raises(ImproperlyConfigured, match=r"^API_PUBLIC_URL must be an https:// URL"):
        fresh_settings("config.settings.production")


def test_an_explicit_https_url_is_kept(fresh_settings: Loader, production_env) -> None:
    production_env.setenv("API_PUBLIC_URL", "https://taskflow.example.com/")

    assert fresh_settings("config.settings.production").API_PUBLIC_URL == "https://taskflow.example.com"
