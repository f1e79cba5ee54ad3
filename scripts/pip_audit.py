"""pip-audit for CI: a known vulnerability fails the build; an advisory service that cannot be
reached (no network, a PyPI mirror without the JSON API) is reported and does not.

Audits the virtual environment it runs in (runtime and development packages). Usage:
    .venv/bin/python scripts/pip_audit.py
"""

import json
import subprocess
import sys

UNREACHABLE_MARKERS = (
    "ConnectionError",
    "ConnectTimeout",
    "ReadTimeout",
    "Max retries exceeded",
    "Name or service not known",
    "Temporary failure in name resolution",
    "Could not resolve",
    "Network is unreachable",
    "Connection refused",
)


def verdict(returncode: int, stdout: str, stderr: str) -> tuple[int, str]:
    """The exit code for CI and what to print, from one pip-audit run with ``-f json``."""
    try:
        dependencies = json.loads(stdout)["dependencies"]
    except (ValueError, KeyError, TypeError):
        if any(marker in stderr for marker in UNREACHABLE_MARKERS):
            return 0, "pip-audit: the advisory service could not be reached; nothing was audited."
        return returncode or 1, f"pip-audit failed (exit {returncode}):\n{stderr.strip()}"
    vulnerable = [dep for dep in dependencies if dep.get("vulns")]
    if vulnerable:
        lines = [
            f"  {dep['name']} {dep.get('version', '?')}: {vuln['id']} "
            f"(fixed in {', '.join(vuln.get('fix_versions') or ['-'])})"
            for dep in vulnerable
            for vuln in dep["vulns"]
        ]
        return 1, "pip-audit: known vulnerabilities:\n" + "\n".join(lines)
    audited = [dep for dep in dependencies if "skip_reason" not in dep]
    skipped = len(dependencies) - len(audited)
    if not audited:
        return 0, (
            f"pip-audit: the advisory service answered for none of the {skipped} packages "
            "(unreachable, or a package index without PyPI's JSON API); nothing was audited."
        )
    return 0, f"pip-audit: {len(audited)} packages audited, no known vulnerability ({skipped} skipped)."


def main() -> int:
    result = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    code, message = verdict(result.returncode, result.stdout, result.stderr)
    print(message, file=sys.stderr if code else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main())
