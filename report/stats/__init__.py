"""Statistics the comparisons rest on: intervals, paired tests, the spread over seeds (no TensorFlow)."""
