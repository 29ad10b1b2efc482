"""The sweep file: its schema (:mod:`~sweeps.spec.schema`), how it is read
(:mod:`~sweeps.spec.reading`), the MLP keywords, size limits and search space it may give, and
the study components it may name. Plain data and validation: nothing here builds an Optuna
object or touches a store."""
