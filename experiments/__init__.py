"""One module per experiment: a file here is an experiment (``report.registry`` finds it, nothing to
register); report.toml's outline says where the report shows it. Modules import TensorFlow only inside
functions, so listing experiments or checking their configs stays fast."""
