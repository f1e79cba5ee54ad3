"""Fixtures the config tests borrow from other test modules."""

from config.tests.test_settings import fresh_settings  # noqa: F401 - fixture
from integrations.tests.conftest import fake_google  # noqa: F401 - fixture
