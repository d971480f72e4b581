"""Training loops behind ``Model.compile/fit/evaluate/predict``."""
