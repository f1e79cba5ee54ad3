from datetime import UTC, datetime

import pytest

# A Monday in winter: Berlin is UTC+1 (CET), New York UTC-5 (EST), Tokyo UTC+9.
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


@pytest.fixture
def frozen(time_machine):
    """Time stopped at NOW; ``frozen.shift(seconds)`` moves it on."""
    time_machine.move_to(NOW, tick=False)
    return time_machine
