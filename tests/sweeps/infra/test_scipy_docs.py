"""scipy's array-API notes left out of its docstrings in a sweeps process (infra/scipy_docs.py).

Each case runs in a fresh interpreter: the hook acts only where scipy is not imported yet.
"""

from __future__ import annotations

import json
import subprocess
import sys

from sweeps.infra import scipy_docs

PROBE = """
import json, sys
if sys.argv[1] == "hooked":
    from sweeps.infra import scipy_docs
    scipy_docs.install()
import scipy._lib._array_api as api
import scipy.stats
import sklearn.compose
result = scipy.stats.ttest_ind([1.0, 2.0, 3.5, 4.0], [2.0, 3.0, 4.5, 6.0])
print(json.dumps({
    "note": "Array API Standard Support" in scipy.stats.ttest_ind.__doc__,
    "plain": api.xp_capabilities.__name__ == "plain_capabilities",
    "hooks": [type(f).__name__ for f in sys.meta_path if type(f).__name__ == "_Hook"],
    "table": len(api.xp_capabilities_table),
    "result": [result.statistic, result.pvalue],
    "rankdata": scipy.stats.rankdata([3, 1, 2]).tolist(),
}))
"""


def _probe(mode: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True, timeout=120
    )
    found: dict[str, object] = json.loads(done.stdout)
    return found


def test_the_hook_leaves_the_notes_out_and_scipy_computes_the_same() -> None:
    plain, hooked = _probe("plain"), _probe("hooked")
    assert plain["note"] is True and plain["plain"] is False  # what the hook is there for
    assert plain["table"] > 400  # every decorated function, filled for scipy's own tests
    assert hooked["note"] is False and hooked["plain"] is True
    assert hooked["table"] == 0
    assert hooked["hooks"] == []  # it leaves sys.meta_path once it has acted
    assert hooked["result"] == plain["result"]
    assert hooked["rankdata"] == plain["rankdata"] == [3.0, 1.0, 2.0]


def test_install_is_a_no_op_once_scipy_is_imported() -> None:
    import scipy._lib._array_api  # noqa: F401  (imported by the suite's own imports anyway)

    before = list(sys.meta_path)
    scipy_docs.install()
    assert sys.meta_path == before


def test_the_sweeps_program_installs_it_before_any_command() -> None:
    script = (
        "import sys\n"
        "from sweeps.cli import main\n"
        "try:\n"
        "    main(['status', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print([type(f).__name__ for f in sys.meta_path], 'scipy' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.splitlines()[-1].startswith("['_Hook', ")
    assert done.stdout.splitlines()[-1].endswith(" False")
