"""The MLP estimators under their module path before ``pipeline/`` had subpackages.

Models saved then (skops files, MLflow model folders) name ``pipeline.estimator.MLPClassifier``
and ``pipeline.estimator.MLPRegressor``; this keeps them loadable. Import from
:mod:`pipeline.mlp` instead.
"""

from pipeline.mlp.estimator import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
