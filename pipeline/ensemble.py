"""The ensembles under their module path before ``pipeline/`` had subpackages.

Models saved then (skops files, MLflow model folders) name ``pipeline.ensemble.EnsembleClassifier``
and ``pipeline.ensemble.EnsembleRegressor``; this keeps them loadable. Import from
:mod:`pipeline.models` instead.
"""

from pipeline.models.ensemble import EnsembleClassifier, EnsembleRegressor

__all__ = ["EnsembleClassifier", "EnsembleRegressor"]
