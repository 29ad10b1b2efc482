"""MLflow glue: the only package of sweeps that imports mlflow.

Uses ``MlflowClient`` with explicit run ids everywhere; no fluent global state.
"""

from sweeps.tracking.runs import TrialRun
from sweeps.tracking.store import Tracker, artifact_root_for, open_tracker, resolve_tracking_uri

__all__ = ["Tracker", "TrialRun", "artifact_root_for", "open_tracker", "resolve_tracking_uri"]
