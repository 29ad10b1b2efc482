"""The Optuna side of a sweep: storage, budget, samplers and pruners, selection, status.

Its functions take plain values (URLs, names, settings), never the sweep's config object.
"""
