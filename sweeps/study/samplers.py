"""Optuna samplers and pruners built by name with their settings
(:mod:`sweeps.spec.components` lists the names and works out the settings), and the dry run
that checks a sweep file's space, sampler and pruner before anything is written."""

from __future__ import annotations

import inspect
import re
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import optuna

from sweeps.errors import ConfigError
from sweeps.spec.components import pruner_settings
from sweeps.spec.schema import SweepConfig
from sweeps.spec.space import ParamSpec, grid_of
from sweeps.study.suggest import suggest

__all__ = ["check_components", "experimental_ok", "make_pruner", "make_sampler"]

#: Sampler name -> Optuna class (the names are :data:`~sweeps.spec.components.SAMPLER_NAMES`).
SAMPLERS: dict[str, type[optuna.samplers.BaseSampler]] = {
    "tpe": optuna.samplers.TPESampler,
    "random": optuna.samplers.RandomSampler,
    "grid": optuna.samplers.GridSampler,
    "cmaes": optuna.samplers.CmaEsSampler,
    "qmc": optuna.samplers.QMCSampler,
    "nsga2": optuna.samplers.NSGAIISampler,
}
#: Pruner name -> Optuna class (the names are :data:`~sweeps.spec.components.PRUNER_NAMES`).
PRUNERS: dict[str, type[optuna.pruners.BasePruner]] = {
    "median": optuna.pruners.MedianPruner,
    "percentile": optuna.pruners.PercentilePruner,
    "successive_halving": optuna.pruners.SuccessiveHalvingPruner,
    "hyperband": optuna.pruners.HyperbandPruner,
    "patient": optuna.pruners.PatientPruner,
    "none": optuna.pruners.NopPruner,
}
#: Options that size a sampler's memory: TPE draws ``n_ei_candidates`` candidates per
#: parameter per trial (2e9 of them: 14.9 GiB); a population is kept for every generation.
OPTION_CAPS: dict[str, int] = {
    "n_ei_candidates": 10_000,
    "population_size": 10_000,
    "popsize": 10_000,
    "inc_popsize": 10,
}
#: An annotation naming a Python object: a function or a sampler, which YAML cannot write.
PYTHON_OBJECT = re.compile(r"Callable|Base[A-Z]\w*|FrozenTrial|Study\b")
#: Trials of the dry run that checks a sampler and a pruner before a sweep writes anything,
#: and the (ever worse) values each reports to the pruner.
DRY_TRIALS = 3
DRY_STEPS = 6


@contextmanager
def experimental_ok() -> Iterator[None]:
    """Silence Optuna's "experimental" notice for features a sweep file asks for on purpose."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        yield


def make_sampler(
    kind: str, settings: Mapping[str, Any], space: Mapping[str, ParamSpec]
) -> optuna.samplers.BaseSampler:
    """Build sampler ``kind`` with ``settings`` (see
    :func:`~sweeps.spec.components.sampler_settings`); raises TypeError/ValueError for bad
    ones (a value above :data:`OPTION_CAPS`, or one where Optuna wants a Python object,
    included)."""
    check_options(SAMPLERS[kind], settings)
    with experimental_ok():
        if kind == "grid":
            return optuna.samplers.GridSampler(grid_of(space), **settings)
        return SAMPLERS[kind](**settings)


def make_pruner(
    kind: str, settings: Mapping[str, Any], scale: tuple[int | None, int | None] = (None, None)
) -> optuna.pruners.BasePruner:
    """Build pruner ``kind`` with ``settings`` (see
    :func:`~sweeps.spec.components.pruner_settings`); ``patient`` wraps ``settings.wrapped``
    (default median), whose defaults scale with ``scale`` (``n_trials, max_epochs``)."""
    settings = dict(settings)
    if kind != "patient":
        check_options(PRUNERS[kind], settings)
        return PRUNERS[kind](**settings)
    wrapped_kind = settings.pop("wrapped", "median")
    wrapped_options = settings.pop("wrapped_options", {})
    if wrapped_kind not in PRUNERS or wrapped_kind == "patient":
        raise ValueError(f"wrapped must be one of {sorted(set(PRUNERS) - {'patient'})}")
    with experimental_ok():
        wrapped_settings = pruner_settings(wrapped_kind, wrapped_options, *scale)
        wrapped = make_pruner(wrapped_kind, wrapped_settings, scale)
        return optuna.pruners.PatientPruner(wrapped, **settings)


def check_options(cls: type, options: Mapping[str, Any]) -> None:
    """Raise ValueError for an option above its :data:`OPTION_CAPS` cap, or given where
    ``cls`` wants a Python object (a function such as TPE's ``gamma``, or a sampler): a sweep
    file can only write data, which Optuna would call or use at the first trial that needs it.
    Unknown names are left to the constructor (its TypeError names them)."""
    parameters = inspect.signature(cls.__init__).parameters  # type: ignore[misc]
    for name, value in options.items():
        cap = OPTION_CAPS.get(name)
        if cap is not None and _is_number(value) and value > cap:
            raise ValueError(
                f"{name}: {value:,} is above {cap:,} (it sizes the memory of every trial)"
            )
        parameter = parameters.get(name)
        annotation = "" if parameter is None else str(parameter.annotation)
        if value is not None and PYTHON_OBJECT.search(annotation):
            raise ValueError(
                f"{name}: {cls.__name__} takes a Python object here ({annotation}); a sweep "
                f"file cannot give one (got {value!r:.40})"
            )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def try_space(space: Mapping[str, ParamSpec], directions: Sequence[str]) -> None:
    """Sample ``space`` on a dry run with Optuna's random sampler: bounds Optuna cannot work
    with (a float ``step`` of 1e-300) raise ValueError here, not in every trial."""
    sampler, pruner = optuna.samplers.RandomSampler(seed=0), optuna.pruners.NopPruner()
    _in_use(lambda: dry_run(sampler, pruner, directions, space), "Optuna cannot sample it")


def check_components(cfg: SweepConfig, where: str) -> None:
    """Sample the space, then build sampler and pruner with Optuna's own classes and use them,
    for a few trials of a throwaway in-memory study each, so that what only fails in use
    fails now: :class:`~sweeps.errors.ConfigError` naming ``where`` and the key path."""
    sampler, pruner = cfg.study.sampler.type, cfg.study.pruner.type
    directions, space = cfg.objective.directions, cfg.space
    for key, check in (
        ("space", lambda: try_space(space, directions)),
        ("study.sampler", lambda: try_sampler(sampler, cfg.sampler_settings, space, directions)),
        ("study.pruner", lambda: try_pruner(pruner, cfg.pruner_settings, cfg.pruner_scale,
                                            space, directions)),
    ):  # fmt: skip
        try:
            check()
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: {key}: {exc}") from None


def try_sampler(
    kind: str,
    settings: Mapping[str, Any],
    space: Mapping[str, ParamSpec],
    directions: Sequence[str],
) -> None:
    """Build sampler ``kind`` (TypeError/ValueError for bad settings), then use it on a dry
    run with its model on from the first trial (``n_startup_trials: 0``), so options that
    only matter then are used too (ValueError if they fail)."""
    make_sampler(kind, settings, space)
    accepted = inspect.signature(SAMPLERS[kind].__init__).parameters  # type: ignore[misc]
    if "n_startup_trials" in accepted:
        settings = {**settings, "n_startup_trials": 0}
    _in_use(
        lambda: dry_run(
            make_sampler(kind, settings, space), optuna.pruners.NopPruner(), directions, space
        ),
        "its options fail when used",
    )


def try_pruner(
    kind: str,
    settings: Mapping[str, Any],
    scale: tuple[int | None, int | None],
    space: Mapping[str, ParamSpec],
    directions: Sequence[str],
) -> None:
    """Build pruner ``kind`` (TypeError/ValueError for bad settings), then use it on a dry
    run (ValueError if it fails there)."""
    pruner = make_pruner(kind, settings, scale)
    sampler = optuna.samplers.RandomSampler(seed=0)
    _in_use(lambda: dry_run(sampler, pruner, directions, space), "its options fail when used")


def _in_use(run: Callable[[], None], what: str) -> None:
    """Run a dry run, silenced; any failure is a ValueError: ``what`` and why."""
    try:
        with _silenced():
            run()
    except Exception as exc:  # whatever Optuna raises in use: the options are unusable
        detail = " ".join(str(exc).split())[:200] or "no message"
        raise ValueError(f"{what} ({type(exc).__name__}: {detail})") from None


def dry_run(
    sampler: optuna.samplers.BaseSampler,
    pruner: optuna.pruners.BasePruner,
    directions: Sequence[str],
    space: Mapping[str, ParamSpec],
) -> None:
    """Use ``sampler`` and ``pruner`` for :data:`DRY_TRIALS` trials of a throwaway in-memory
    study over ``space`` (each single-objective trial reports :data:`DRY_STEPS` ever worse
    values and asks the pruner): options that Optuna accepts when building but that fail in
    use (hyperband's ``min_resource: 0``) raise here, before anything is written."""
    study = optuna.create_study(sampler=sampler, pruner=pruner, directions=list(directions))
    for number in range(DRY_TRIALS):
        _dry_trial(study, number, len(directions), space)


def _dry_trial(
    study: optuna.Study, number: int, objectives: int, space: Mapping[str, ParamSpec]
) -> None:
    trial = study.ask()
    suggest(trial, space)
    if objectives > 1:
        study.tell(trial, [float(number)] * objectives)
        return
    for step in range(1, DRY_STEPS + 1):
        trial.report(float(number + step), step)
        trial.should_prune()
    study.tell(trial, float(number))


@contextmanager
def _silenced() -> Iterator[None]:
    """No warning or log line from a dry run: its notices are not the sweep's."""
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        optuna.logging.set_verbosity(verbosity)
