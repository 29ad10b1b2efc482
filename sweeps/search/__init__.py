"""The search: a sweep's data and stores, the objective that trains one trial, the worker loop."""
