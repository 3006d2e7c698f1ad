"""One module per experiment; each registers under the ``make_report.experiments``
entry-point group in pyproject.toml. Modules import TensorFlow only inside
functions, so listing experiments or checking their configs stays fast."""
