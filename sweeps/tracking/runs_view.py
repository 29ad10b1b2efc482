"""The first screen of a sweep in the MLflow UI: its runs list as MLflow's own "shared view".

The MLflow 3.17 UI keeps the runs list's sort and filter in the page URL (``orderByKey``,
``orderByAsc``, ``searchFilter``, ...) but its columns only in the browser or in a shared view:
an experiment tag ``mlflow.sharedViewState.<key>`` holding the view as JSON, opened by the URL
parameter ``viewStateShareKey=<key>`` (what the UI's "Share" button writes). :func:`runs_view`
builds that view for a sweep: the objective metric(s), the champion marker and the searched
params as columns, sorted by the first objective, best first. A list sorted by a metric is flat:
every trial is a row, not one collapsed parent row (MLflow nests children only when sorting by
creation time with no filter).

Runs without the metric (the parent, pruned and failed trials) sort after the others whatever
the direction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sweeps.records import CHAMPION_MARKER_TAG, SHARED_VIEW_PREFIX, STATE_TAG

__all__ = ["VIEW_KEY", "runs_view", "view_query", "view_tags"]

#: The URL parameter that names a shared view.
SHARE_PARAM = "viewStateShareKey"
#: The key of the view sweeps writes on each sweep's experiment.
VIEW_KEY = "sweeps-runs"
#: MLflow's "Models" column: logged and registered models of each run.
MODELS_COLUMN = "attributes.`Models`"


def column(kind: str, key: str) -> str:
    """MLflow's column id: ``metrics.`val_loss```, ``params.`l2```, ``tags.`sweeps.state```."""
    return f"{kind}.`{key}`"


def runs_view(
    metrics: Sequence[str], directions: Sequence[str], params: Sequence[str]
) -> dict[str, Any]:
    """The shared view of a sweep's runs list: ``metrics`` (the objective first, sorted by it in
    its direction) and ``params`` (the searched ones) as columns, with the champion marker,
    each trial's state and MLflow's Models column."""
    columns = [column("tags", CHAMPION_MARKER_TAG)]
    columns += [column("metrics", m) for m in metrics]
    columns += [column("params", p) for p in params]
    columns += [column("tags", STATE_TAG), MODELS_COLUMN]
    return {
        "searchFilter": "",
        "orderByKey": column("metrics", metrics[0]),
        "orderByAsc": directions[0] == "minimize",
        "startTime": "ALL",
        "lifecycleFilter": "Active",
        "datasetsFilter": [],
        "modelVersionFilter": "All Runs",
        "selectedColumns": columns,
        "columnOrder": columns,  # the marker and the objective first, not MLflow's groups
        "columnWidths": {columns[0]: 150},  # the marker whole
        "runsHiddenMode": "FIRST_10_RUNS",
        "viewMaximized": False,
    }


def view_tags(view: dict[str, Any]) -> dict[str, str]:
    """The experiment tag that holds ``view`` for the MLflow UI."""
    return {SHARED_VIEW_PREFIX + VIEW_KEY: json.dumps(view, separators=(",", ":"))}


def view_query() -> str:
    """The runs-list URL's query string that opens the sweep's view in MLflow's "Model
    training" mode (``workflowType=machine_learning``: its Runs, Models and Model registry)."""
    return f"{SHARE_PARAM}={VIEW_KEY}&workflowType=machine_learning"
