"""scripts/pip_audit.py: a found vulnerability fails CI, an unreachable advisory service does not."""

import importlib.util
import json
from pathlib import Path

from django.conf import settings

_spec = importlib.util.spec_from_file_location(
    "pip_audit_ci", Path(settings.BASE_DIR) / "scripts" / "pip_audit.py"
)
assert _spec and _spec.loader
pip_audit_ci = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pip_audit_ci)
verdict = pip_audit_ci.verdict


def report(*dependencies: dict) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_a_known_vulnerability_fails():
    stdout = report(
        {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2099-1", "fix_versions": ["5.2.1"]}]},
        {"name": "celery", "version": "5.7.0", "vulns": []},
    )

    code, message = verdict(1, stdout, "Found 1 known vulnerability in 1 package")

    assert code == 1
    assert "django 5.2.0: PYSEC-2099-1 (fixed in 5.2.1)" in message


def test_a_clean_audit_passes():
    code, message = verdict(0, report({"name": "django", "version": "5.2.19", "vulns": []}), "")

    assert code == 0
    assert message == "pip-audit: 1 packages audited, no known vulnerability (0 skipped)."


def test_an_advisory_service_that_answers_for_nothing_is_reported_not_failed():
    stdout = report(
        {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"}
    )

    code, message = verdict(0, stdout, "")

    assert code == 0
    assert "nothing was audited" in message


def test_an_unreachable_service_is_reported_not_failed():
    stderr = "requests.exceptions.ConnectionError: Max retries exceeded with url: /pypi/django/json"

    assert verdict(1, "", stderr) == (
        0,
        "pip-audit: the advisory service could not be reached; nothing was audited.",
    )


def test_any_other_failure_fails():
    code, message = verdict(2, "", "usage: pip-audit [-h] ... error: unrecognized arguments")

    assert code == 2
    assert "unrecognized arguments" in message
