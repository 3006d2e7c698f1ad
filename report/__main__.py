"""``python -m report`` is ``make-report``."""

from report.cli import cli

cli(prog_name="make-report")
