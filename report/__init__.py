"""make-report: the engine. Importing it pins the arithmetic of every library that computes results to one
instruction-set baseline, before any of them loads (``report.train.numerics``)."""

from report.train.numerics import pin_environment

pin_environment()
