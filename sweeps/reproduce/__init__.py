"""Reproduce a logged trial: read it back, check its data, retrain, compare, record."""
