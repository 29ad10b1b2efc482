"""`sweeps ui` in a real browser: after a tiny sweep (two trials complete, two pruned) and a
reproduction, headless Chromium (driven by Playwright) opens the first screen `sweeps ui` prints:
the champion marker, `val_loss` and the searched params as columns, every trial a row sorted by
`val_loss` best first (pruned trials after them, not shown as failures), the reproduction; then
the champion's run, the parent, the registered model, the parent's plots and report; Ctrl-C
stops the UI. Screenshots of each page are left in the test's folder; a failed check saves
`failure.png`.

Skips where Playwright or /usr/bin/chromium is missing, except with SWEEPS_REQUIRE_BROWSER=1
(set by .ci/run), where it fails instead: CI cannot pass by skipping.
"""

from __future__ import annotations

import importlib.util
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from mlflow import MlflowClient

from tests.conftest import Stores
from tests.sweeps.finished import TINY_STUDY, tiny_sweep
from tests.sweeps.helpers import run_cli, write_config

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READY_SECONDS = 240  # the UI's first start takes ~20 s on an idle machine
PAGE_MS = 90_000  # the first page load compiles the UI's queries; shared CI cores are slow
DECODED_WIDTH = "i => i.decode().then(() => i.naturalWidth)"
PLOTS = ["optimization_history", "param_importances", "parallel_coordinate", "slice"]


def require_browser() -> None:
    """Skip (or, with SWEEPS_REQUIRE_BROWSER=1, fail) unless Playwright and Chromium exist."""
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append("the playwright package (pip install -e '.[test]')")
    if not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not missing:
        return
    reason = "no headless browser: missing " + " and ".join(missing)
    if os.environ.get("SWEEPS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"SWEEPS_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def first_line(stream: Any, timeout: float) -> str:
    """The first line a process prints, read on a thread so that the wait can time out."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout).strip()
    except queue.Empty:
        pytest.fail(f"`sweeps ui` printed no URL within {timeout} s")


def start_ui(config: Path, stores: Stores, port: int, cwd: Path) -> subprocess.Popen[str]:
    """`sweeps ui CONFIG --port PORT` as a real subprocess."""
    command = [sys.executable, "-m", "sweeps", "ui", str(config), "--port", str(port)]
    command += ["--tracking-uri", stores.tracking_uri]
    return subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def stop(process: subprocess.Popen[str]) -> None:
    """Ctrl-C the UI if a failed assertion left it running."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def visible(locator: Any) -> None:
    """Wait (long: the first page load is slow) until ``locator`` is visible."""
    from playwright.sync_api import expect

    expect(locator).to_be_visible(timeout=PAGE_MS)


# The icon MLflow draws for a FINISHED run (a check in a circle); failed and killed runs get
# other icons.
FINISHED_ICON = "M11.53 6.53 7 11.06 4.47 8.53l1.06-1.06L7 8.94l3.47-3.47z"


def browse(url: str, runs: dict[str, str], names: dict[str, list[str]], shots: Path) -> None:
    """Assert, in Chromium, the first screen (the sweep's view: the champion marker, the
    objective and the searched params as columns, every trial a row sorted by ``val_loss``
    best first, pruned trials after them and not shown as failures, the reproduction), then
    the parent's plot artifacts; save screenshots into ``shots`` (``failure.png`` when an
    assertion fails). ``names``: run names by kind (complete in ascending val_loss, pruned,
    reproduction)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.set_default_timeout(PAGE_MS)
        try:
            first_screen(page, url, names, shots)
            run_pages(page, url, runs, shots)
            registered_model(page, url, shots)
            artifacts(page, url, runs["parent"], shots)
        except BaseException:
            page.screenshot(path=shots / "failure.png")
            raise
        finally:
            browser.close()


#: Column headers of the sweep's view (TINY_STUDY's space) the first screen must show.
COLUMNS = ["sweeps.champion", "val_loss", "learning_rate", "batch_size", "depth", "width"]


def first_screen(page: Any, url: str, names: dict[str, list[str]], shots: Path) -> None:
    """The runs list as `sweeps ui` opens it: columns, marker, flat rows sorted best first."""
    page.goto(url)
    visible(page.get_by_text(re.compile(r"^\d+ matching runs$")))
    visible(page.get_by_role("link", name=names["complete"][0], exact=True))
    for header in COLUMNS:
        visible(page.locator('[role="columnheader"]', has_text=header).first)
    visible(page.get_by_text("Sort: val_loss"))
    visible(page.get_by_text("★ champion", exact=True))
    for name in [*names["complete"], *names["pruned"], *names["reproduction"]]:
        visible(page.get_by_role("link", name=name, exact=True))  # flat: no parent to expand
    for name in names["pruned"]:  # not a failure: the same icon as a complete trial
        row = page.locator('[role="row"]', has=page.get_by_role("link", name=name))
        cell = row.first.locator('[col-id="runDateAndNestInfo"]')
        assert FINISHED_ICON in cell.inner_html(), name
    expected = [*names["complete"], *names["pruned"]]
    try:
        page.wait_for_function(SORTED_JS, arg=names["complete"])
    except Exception:
        raise AssertionError(
            f"not sorted as {expected}: the list shows {page.evaluate(ROWS_JS)}"
        ) from None
    shown = page.evaluate(ROWS_JS)
    assert shown[: len(names["complete"])] == names["complete"]  # best val_loss first
    assert sorted(shown[len(names["complete"]) :]) == names["pruned"]  # no val_loss: last
    page.screenshot(path=shots / "runs.png")


def run_pages(page: Any, url: str, runs: dict[str, str], shots: Path) -> None:
    """The champion's run (its description, marker and model) and the parent's (its
    description and the best-so-far history): ``champion.png``, ``parent.png``."""
    base = url.split("/runs?")[0]
    page.goto(f"{base}/runs/{runs['champion']}?workflowType=machine_learning")
    visible(page.get_by_text(re.compile(r"^Champion of sweep tiny\. ")))
    visible(page.get_by_text("★ champion").first)
    visible(page.get_by_role("link", name=re.compile(r"^tiny")).first)  # its model version
    page.screenshot(path=shots / "champion.png", full_page=True)
    page.goto(f"{base}/runs/{runs['parent']}?workflowType=machine_learning")
    visible(page.get_by_text(re.compile(r"^Sweep tiny on breast_cancer")))
    visible(page.get_by_text("best_so_far/val_loss").first)
    page.screenshot(path=shots / "parent.png", full_page=True)


def registered_model(page: Any, url: str, shots: Path) -> None:
    """The registered model's version 1, described as the champion: ``model.png``."""
    root = url.split("/#/")[0]
    page.goto(f"{root}/#/models/tiny/versions/1")
    visible(page.get_by_text(re.compile(r"Champion of sweep tiny")).first)
    page.screenshot(path=shots / "model.png", full_page=True)


def artifacts(page: Any, url: str, parent_id: str, shots: Path) -> None:
    """The parent's plots and report among its artifacts."""
    page.goto(url.split("/runs?")[0] + f"/runs/{parent_id}/artifacts")
    visible(page.get_by_text("report.md", exact=True))
    page.get_by_text("plots", exact=True).click()
    for name in [*PLOTS, "intermediate_values"]:
        visible(page.get_by_text(f"{name}.png", exact=True))
    page.get_by_text("param_importances.png", exact=True).click()
    page.wait_for_function(
        "() => [...document.images].some(i => i.complete && i.naturalWidth >= 300)"
    )
    page.screenshot(path=shots / "artifacts.png")

    page.get_by_text("report.html", exact=True).click()
    report = page.frame_locator("iframe").first
    visible(report.get_by_role("heading", name="Sweep report: tiny"))
    images = report.locator("img")
    assert images.count() == 5
    widths = [images.nth(i).evaluate(DECODED_WIDTH) for i in range(5)]
    assert min(widths) > 300, widths
    page.screenshot(path=shots / "report.png")


# ag-grid places rows by their row-index, not in document order: read them in that order
ROWS_JS = """() => {
  const names = new Map();
  for (const row of document.querySelectorAll('[role="row"][row-index]')) {
    const link = row.querySelector('[col-id="attributes.`Run Name`"] a');
    if (link) names.set(Number(row.getAttribute('row-index')), link.innerText.trim());
  }
  return [...names.entries()].sort((a, b) => a[0] - b[0]).map(e => e[1])
    .filter(n => n.startsWith("trial-"));
}"""
SORTED_JS = f"""(first) => {{
  const names = ({ROWS_JS})();
  return names.length === 4 && first.every((name, i) => names[i] === name);
}}"""


def test_ui_shows_the_sweep_in_chromium_and_stops_on_ctrl_c(stores: Stores, tmp_path: Path) -> None:
    require_browser()
    config = write_config(tmp_path, study=TINY_STUDY)
    assert run_cli("run", str(config), "--quiet", *stores.flags()) == 0
    client = MlflowClient(tracking_uri=stores.tracking_uri)
    experiment_id = client.get_experiment_by_name("tiny").experiment_id
    (parent,) = client.search_runs([experiment_id], "tags.`sweeps.role` = 'parent'")
    trials = client.search_runs([experiment_id], "tags.`sweeps.role` = 'trial'")
    complete = sorted(
        (r for r in trials if r.data.tags["sweeps.state"] == "COMPLETE"),
        key=lambda r: r.data.metrics["val_loss"],
    )
    pruned = sorted(r.info.run_name for r in trials if r.data.tags["sweeps.state"] == "PRUNED")
    assert len(complete) == 2 and pruned == ["trial-002 pruned", "trial-003 pruned"]
    assert run_cli("reproduce", complete[0].info.run_id, "--tracking-uri", stores.tracking_uri) == 0
    names = {
        "complete": [r.info.run_name for r in complete],
        "pruned": pruned,
        "reproduction": [f"reproduce-{complete[0].info.run_name}"],
    }

    port = free_port()
    with start_ui(config, stores, port, tmp_path) as process:
        try:
            url = first_line(process.stdout, READY_SECONDS)
            base = f"http://127.0.0.1:{port}"
            view = "viewStateShareKey=sweeps-runs&workflowType=machine_learning"
            assert url == f"{base}/#/experiments/{experiment_id}/runs?{view}"
            champion = client.search_runs([experiment_id], "tags.`sweeps.role` = 'champion'")
            runs = {"parent": parent.info.run_id, "champion": champion[0].info.run_id}
            browse(url, runs, names, tmp_path)
            process.send_signal(signal.SIGINT)
            assert process.wait(90) == 0
        finally:
            stop(process)
        assert "sweeps: MLflow UI stopped" in process.stderr.read()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    for shot in (
        "runs.png",
        "champion.png",
        "parent.png",
        "model.png",
        "artifacts.png",
        "report.png",
    ):
        assert (tmp_path / shot).stat().st_size > 10_000


REPORT_SECTIONS = [
    "How the champion was chosen",
    "Test score",
    "Top 2 trials by val_loss",  # the tiny sweep: 2 complete, 2 pruned
    "Optimization history",
    "Learning curves",
    "Parameters",
    "Search space",
    "Configuration",
]


def test_report_page_reads_top_to_bottom_in_chromium(
    tmp_path_factory: pytest.TempPathFactory, migrated_mlflow_db: Path, tmp_path: Path
) -> None:
    """report.html in Chromium: its sections visible in the story's order, every plot decoded,
    the configuration collapsed until its summary is clicked; a screenshot on failure."""
    require_browser()
    from playwright.sync_api import sync_playwright

    sweep = tiny_sweep(tmp_path_factory, migrated_mlflow_db)
    out = tmp_path / "report"
    assert run_cli("report", str(sweep.config), "-o", str(out), *sweep.stores.flags()) == 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        try:
            page.goto((out / "report.html").as_uri())
            headings = page.locator("h2")
            assert headings.all_inner_texts() == REPORT_SECTIONS
            tops = []
            for i in range(headings.count()):
                visible(headings.nth(i))
                tops.append(headings.nth(i).bounding_box()["y"])
            assert tops == sorted(tops) and len(set(tops)) == len(tops)
            images = page.locator("img")
            widths = [images.nth(i).evaluate(DECODED_WIDTH) for i in range(images.count())]
            assert len(widths) == 5 and min(widths) > 300, widths
            config = page.locator("details pre")
            assert not config.is_visible()  # collapsed
            page.locator("details summary").click()
            visible(config)
            assert "name: tiny" in config.inner_text()
            page.screenshot(path=tmp_path / "report-top.png")
        except Exception:
            page.screenshot(path=tmp_path / "report-failure.png", full_page=True)
            print(f"screenshot of the failure: {tmp_path / 'report-failure.png'}")
            raise
        finally:
            browser.close()
