"""breakeven: will the AI build-out pay for itself? The Monte Carlo simulator, from Python.

    import breakeven as be
    r = be.run("scenarios/openai.toml", paths=100_000, set={"capex.partner_share": 0.3})
    r.break_even["operating"]["probability"]
    r.metrics("revenue")            # a pandas DataFrame when pandas is installed
    r.to_json() == open("cli.json").read()   # the CLI's --format json, byte for byte

Every function mirrors a subcommand of the `simulate` command line and gives the same numbers
for the same arguments. The engine runs with the GIL released; Ctrl-C (KeyboardInterrupt)
stops it within a fraction of a second. A bad scenario raises ScenarioError, with the file,
line, key and message the command line prints.
"""

from __future__ import annotations

import json
import math
import numbers
import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

import numpy as np

from . import _native
from ._native import ScenarioError

__all__ = [
    "ScenarioError",
    "Result",
    "Sensitivity",
    "run",
    "sensitivity",
    "sweep",
    "solve",
    "compare",
    "Analysis",
    "paths",
    "check",
    "__version__",
]
__version__ = _native.VERSION

Scenario = Union[str, "os.PathLike[str]"]
SAMPLERS = ("mc", "lhs", "sobol")


def _scenario(scenario: Scenario) -> Tuple[str, str]:
    """The scenario's text and the name the command line would give it.

    A path (str or os.PathLike) is read, and named as written, as `simulate FILE` names it;
    a str holding TOML (a newline or '=') is taken as the text itself, named '<string>'.
    """
    if isinstance(scenario, os.PathLike):
        path = os.fspath(scenario)
    elif isinstance(scenario, str):
        if "\n" in scenario or "=" in scenario:
            return scenario, "<string>"
        path = scenario
    else:
        raise TypeError(
            f"scenario must be a path or TOML text (str), not {type(scenario).__name__}"
        )
    if not isinstance(path, str):
        raise TypeError("scenario paths must be text, not bytes")
    try:
        with open(path, encoding="utf-8") as f:
            return f.read(), path
    except OSError as e:
        err = ScenarioError(f"{path}: cannot read the scenario: {e.strerror or e}")
        err.file, err.line, err.key, err.message = path, None, None, f"cannot read the scenario: {e}"
        raise err from None


def _toml_value(value: Any, key: str) -> str:
    """A Python value as the TOML text `--set key=VALUE` takes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        x = float(value)
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return repr(x)
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        items = []
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"set[{key!r}]: table keys must be str, not {type(k).__name__}")
            if isinstance(v, str):
                items.append(f"{k} = {json.dumps(v)}")
            else:
                items.append(f"{k} = {_toml_value(v, key + '.' + k)}")
        return "{ " + ", ".join(items) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(
            json.dumps(v) if isinstance(v, str) else _toml_value(v, key) for v in value
        ) + "]"
    raise TypeError(
        f"set[{key!r}]: a value must be a number, bool, str, dict or list, "
        f"not {type(value).__name__}"
    )


def _overrides(set: Optional[Mapping[str, Any]]) -> List[str]:
    if set is None:
        return []
    if not isinstance(set, Mapping):
        raise TypeError(f"set must be a dict of key path -> value, not {type(set).__name__}")
    out = []
    for key, value in set.items():
        if not isinstance(key, str):
            raise TypeError(f"set: keys must be key paths (str), not {type(key).__name__}")
        out.append(f"{key}={_toml_value(value, key)}")
    return out


def _count(name: str, value: Any, minimum: int, optional: bool = True) -> Optional[int]:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be a whole number, not {type(value).__name__}")
    value = int(value)
    if value < minimum or value >= 2**64:
        raise ValueError(f"{name} must be at least {minimum} (and below 2**64), got {value}")
    return value


def _sampler(sampler: Any) -> str:
    if not isinstance(sampler, str):
        raise TypeError(f"sampler must be a str, not {type(sampler).__name__}")
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler must be one of {', '.join(SAMPLERS)}, got {sampler!r}")
    return sampler


def _common(scenario, paths, seed, threads, set, sampler="mc"):
    text, origin = _scenario(scenario)
    return dict(
        text=text,
        origin=origin,
        overrides=_overrides(set),
        paths=_count("paths", paths, 1),
        seed=_count("seed", seed, 0),
        threads=_count("threads", threads, 1),
        sampler=_sampler(sampler),
    )


def _frame(rows: List[Dict[str, Any]]):
    """A pandas DataFrame of `rows` when pandas is installed, else the rows themselves."""
    try:
        import pandas as pd
    except ImportError:
        return rows
    return pd.DataFrame(rows)


class Result:
    """The report of one run: what `simulate FILE --format json` prints, as Python objects.

    Attributes: `thresholds` (list of dicts with name, label, probability, ci95, paths,
    source), `break_even` (operating and cash payback, profitable by year, funding gap,
    NPV; None for a network file), `entities` and `network` (a network file's, else None),
    `paths`, `seed`, `sampler`, `scenario`, `inputs`, and `data`, the whole document.
    """

    def __init__(self, text: str):
        self._text = text
        self.data: Dict[str, Any] = json.loads(text)
        self.thresholds: List[Dict[str, Any]] = self.data["thresholds"]
        # A network file's report has no single firm's break-even or metrics: None there.
        self.break_even: Optional[Dict[str, Any]] = self.data.get("break_even")
        self.paths: int = self.data["paths"]
        self.seed: int = self.data["seed"]
        self.sampler: str = self.data["sampler"]
        self.scenario: Dict[str, Any] = self.data["scenario"]
        self.inputs: List[Dict[str, Any]] = self.data["inputs"]
        # A network file's entities (by name: break-even, payback, default, funding, revenue)
        # and network-wide figures, as the command line's JSON has them; None otherwise.
        self.entities: Optional[Dict[str, Any]] = self.data.get("entities")
        self.network: Optional[Dict[str, Any]] = self.data.get("network")

    def to_json(self) -> str:
        """The command line's JSON for the same arguments, byte for byte."""
        return self._text

    def metric_names(self) -> List[str]:
        return [m["name"] for m in self.data.get("metrics", [])]

    def metrics(self, name: str):
        """One metric by year: rows of year, mean, sd, min, p5, p10, p50, p90, p95, max.

        A pandas DataFrame when pandas is installed, else a list of dicts.
        """
        if not isinstance(name, str):
            raise TypeError(f"metric name must be a str, not {type(name).__name__}")
        for m in self.data.get("metrics", []):
            if m["name"] == name:
                return _frame([dict(y) for y in m["years"]])
        raise ValueError(f"unknown metric {name!r} (expected one of {', '.join(self.metric_names())})")

    def threshold(self, name: str) -> Dict[str, Any]:
        for t in self.thresholds:
            if t["name"] == name:
                return t
        names = ", ".join(t["name"] for t in self.thresholds)
        raise ValueError(f"unknown threshold {name!r} (expected one of {names})")

    def __repr__(self) -> str:
        if self.break_even is None:
            return (
                f"<breakeven.Result {self.scenario['name']!r}: {self.paths} paths, "
                f"{len(self.entities or {})} entities>"
            )
        be = self.break_even["operating"]
        return (
            f"<breakeven.Result {self.scenario['name']!r}: {self.paths} paths, "
            f"P(operating break-even) = {be['probability']:.4f} "
            f"[{be['ci95'][0]:.4f}, {be['ci95'][1]:.4f}]>"
        )


def run(
    scenario: Scenario,
    paths: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    sampler: str = "mc",
) -> Result:
    """Run a scenario: `simulate FILE [--paths N] [--seed S] [--threads T] [--set K=V ...]
    [--sampler mc|lhs|sobol] --format json`.

    `scenario` is a path or TOML text; `set` maps key paths to values (numbers, str in TOML
    syntax, or dicts for distributions, e.g. {"capex.total": {"dist": "uniform", "min": 1e12,
    "max": 2e12}}). Paths and seed default to the scenario's [run] table, else 100,000 and
    20251123, as on the command line.
    """
    return Result(_native.run(**_common(scenario, paths, seed, threads, set, sampler)))


class Sensitivity:
    """What `simulate sensitivity FILE --format json` prints: `base`, `output`, and `inputs`
    (largest tornado swing first, each with at_p10, at_p90, swing, spearman, median_met,
    median_missed); `table()` gives the inputs as a DataFrame (or dicts)."""

    def __init__(self, text: str):
        self._text = text
        self.data: Dict[str, Any] = json.loads(text)
        self.base = self.data["base"]
        self.inputs: List[Dict[str, Any]] = self.data["inputs"]

    def to_json(self) -> str:
        return self._text

    def table(self):
        rows = [
            {
                "key": i["key"],
                "at_p10": i["at_p10"]["output"],
                "at_p90": i["at_p90"]["output"],
                "swing": i["swing"],
                "spearman": i["spearman"],
                "median_met": i["median_met"],
                "median_missed": i["median_missed"],
            }
            for i in self.inputs
        ]
        return _frame(rows)


def sensitivity(
    scenario: Scenario,
    threshold: Optional[str] = None,
    metric: Optional[str] = None,
    year: Optional[int] = None,
    statistic: str = "median",
    paths: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
) -> Sensitivity:
    """Which inputs move an outcome: `simulate sensitivity FILE [--threshold NAME | --metric M
    --year Y [--statistic median|mean]] [--paths N] --format json` (20,000 paths per tornado
    run by default, as on the command line)."""
    args = _common(scenario, paths, seed, threads, set)
    del args["sampler"]
    if threshold is not None and not isinstance(threshold, str):
        raise TypeError("threshold must be a str (a threshold's name, break_even or payback)")
    if (metric is None) != (year is None):
        raise ValueError("metric and year go together")
    if metric is not None and threshold is not None:
        raise ValueError("give threshold or metric, not both")
    if metric is not None and not isinstance(metric, str):
        raise TypeError("metric must be a str")
    return Sensitivity(
        _native.sensitivity(
            **args,
            threshold=threshold,
            metric=metric,
            year=_count("year", year, -(2**31)) if year is not None else None,
            statistic=statistic,
        )
    )


class Analysis:
    """The result of `sweep`, `solve` or `compare`: `data` is what the command line prints with
    `--format json` (`to_json()` gives its text, byte for byte)."""

    def __init__(self, text: str):
        self._text = text
        self.data: Dict[str, Any] = json.loads(text)

    def to_json(self) -> str:
        return self._text

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def keys(self):
        return self.data.keys()


def _param(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str like 'capex.partner_share=0.2..0.8:7'")
    return value


def sweep(
    scenario: Scenario,
    param: Union[str, Iterable[str]],
    paths: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
) -> Analysis:
    """Probabilities over a one- or two-parameter grid on common random numbers:
    `simulate sweep FILE --param KEY=FROM..TO:STEPS [--param ...] --format json`."""
    params = [param] if isinstance(param, str) else list(param)
    params = [_param("param", p) for p in params]
    args = _common(scenario, paths, seed, threads, set)
    del args["sampler"]
    return Analysis(_native.sweep(**args, params=params))


def solve(
    scenario: Scenario,
    param: str,
    target: float,
    threshold: str = "break_even",
    tolerance: Optional[float] = None,
    paths: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
) -> Analysis:
    """Goal seek: the value of `param` ('KEY=FROM..TO', or 'KEY' alone to search the input's
    own bounded support) at which the event's probability is `target`: `simulate solve FILE
    --param KEY[=FROM..TO] --target P --format json` (20,000 paths per evaluation by default,
    as on the command line)."""
    _param("param", param)
    if isinstance(target, bool) or not isinstance(target, numbers.Real):
        raise TypeError("target must be a probability (a number)")
    if not isinstance(threshold, str):
        raise TypeError("threshold must be a str")
    if tolerance is not None and (isinstance(tolerance, bool) or not isinstance(tolerance, numbers.Real)):
        raise TypeError("tolerance must be a number")
    args = _common(scenario, paths, seed, threads, set)
    del args["sampler"]
    return Analysis(
        _native.solve(
            **args,
            param=param,
            target=float(target),
            threshold=threshold,
            tolerance=None if tolerance is None else float(tolerance),
        )
    )


def compare(
    a: Scenario,
    b: Optional[Scenario] = None,
    paths: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    sampler: str = "mc",
) -> Analysis:
    """Two scenarios, or `a` and a variant of it (`set`), on the same paths with paired
    differences: `simulate compare A [B] [--set ...] --format json`."""
    args = _common(a, paths, seed, threads, set, sampler)
    other = None if b is None else _scenario(b)
    return Analysis(_native.compare(**args, b=other))


class Paths:
    """Per-path values of a run: exactly the columns of `simulate FILE --paths-out`, with the
    same names in the same order and the same values, as float64 (one row per path):

    `path` (the path's index), each uncertain input's drawn value (named by its key path),
    `met_NAME` (1.0 or 0.0) per threshold, `break_even_year` and `payback_year` (calendar
    years, NaN when not within the horizon), `funding_gap`, `npv`, and each chosen metric by
    year (`revenue_2030`).

    * `names`: the column names, in order;
    * `array`: all of it, shape (paths, columns);
    * `p[name]`: one column, shape (paths,); `columns`: a dict of them, in order;
    * `frame()`: a pandas DataFrame with those columns.
    """

    def __init__(self, raw: Dict[str, Any]):
        self.paths: int = raw["paths"]
        self.names: List[str] = list(raw["names"])
        self.array = np.frombuffer(raw["data"], dtype="<f8").reshape(self.paths, len(self.names))
        self._index = {name: i for i, name in enumerate(self.names)}

    def __getitem__(self, name: str):
        if name not in self._index:
            raise KeyError(f"no column {name!r}; columns are the --paths-out ones: {self.names}")
        return self.array[:, self._index[name]]

    def __contains__(self, name: str) -> bool:
        return name in self._index

    @property
    def columns(self) -> Dict[str, Any]:
        return {name: self.array[:, i] for i, name in enumerate(self.names)}

    def frame(self):
        import pandas as pd

        return pd.DataFrame(self.array, columns=self.names)

    def __repr__(self) -> str:
        return f"<breakeven.Paths: {self.paths} paths x {len(self.names)} columns>"


def paths(
    scenario: Scenario,
    paths: int = 10_000,
    seed: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    sampler: str = "mc",
    metrics: Optional[Iterable[str]] = None,
) -> Paths:
    """The values of every path of a run (the paths `run` simulates with the same arguments),
    as `simulate FILE --paths-out FILE [--paths-out-metrics LIST]` writes them: `metrics` by
    year, else the command line's default ones (revenue, ebit, free_cash_flow, cash). Memory
    grows with paths x columns."""
    args = _common(scenario, paths, seed, None, set, sampler)
    del args["threads"]
    if metrics is not None:
        if isinstance(metrics, str):
            metrics = [metrics]
        metrics = list(metrics)
        if not all(isinstance(m, str) for m in metrics):
            raise TypeError("metrics must be names (str)")
    return Paths(_native.path_values(**args, metrics=metrics))


def check(scenario: Scenario, set: Optional[Mapping[str, Any]] = None) -> str:
    """Validate a scenario (`simulate check`): its canonical TOML, or ScenarioError."""
    text, origin = _scenario(scenario)
    return _native.check(text, origin, _overrides(set))
