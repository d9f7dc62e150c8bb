"""Type stub of meshsim._native, the Rust extension (re-exported by ``meshsim``)."""

import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from ._columns import Columns, Svg

__version__: str

#: What names a scenario: a builtin name, a path, TOML text, a dict of the scenario schema,
#: or a loaded Scenario.
ScenarioLike = Union[str, "os.PathLike[str]", Mapping[str, Any], "Scenario"]
#: Overrides: {path: value} (Python values, written as TOML), or ``path=value`` strings as on
#: the command line (``--set``).
Overrides = Union[Mapping[str, Any], str, Sequence[str], None]

def builtins() -> List[str]:
    """The builtin scenarios' names, in the order ``meshsim list`` shows them."""

def show(name: str) -> str:
    """A builtin scenario's TOML text (``meshsim show NAME``); ScenarioError if there is none."""

def load(source: ScenarioLike, set: Overrides = None) -> "Scenario":
    """Loads and validates a scenario.

    ``source`` is a builtin name, a file path (str or os.PathLike), TOML text (a str holding a
    newline or ``=``, when no file has that name), a dict of the scenario file's schema, or a
    Scenario (``set`` then comes after its own overrides). Raises ScenarioError with the CLI's
    message, path, line, column and key if it is not valid.
    """

def run(
    scenario: ScenarioLike,
    seed: Optional[int] = None,
    duration: Union[str, float, None] = None,
    set: Overrides = None,
    trace: Union[str, Sequence[str], None] = None,
) -> "Result":
    """Runs a scenario, as ``meshsim run`` does, with the GIL released.

    ``seed`` overrides the scenario's seed; ``duration`` (``"300s"``, or seconds) its duration;
    ``set`` adds overrides; ``trace`` (``"chrome"``, ``"otlp"`` or both) records per-request
    traces, written by ``Result.write`` and ``Result.files``. The same scenario and seed give the
    same results, byte for byte, as the CLI.
    """

def sweep(
    spec: Union[str, "os.PathLike[str]", Mapping[str, Any]],
    threads: Optional[int] = None,
    seed: Optional[int] = None,
) -> "SweepResult":
    """Runs a parameter sweep (docs/sweeps.md) in memory on ``threads`` threads (default: the
    number of CPUs) with the GIL released.

    ``spec`` is a sweep file's path, its TOML text, or a dict of its schema; ``seed`` overrides
    its seed. Results do not depend on ``threads``. Raises ScenarioError for a bad sweep file.
    """

class Scenario:
    """A validated scenario. Immutable: ``set`` returns a new one."""

    @property
    def name(self) -> str:
        """The scenario's ``name``."""
    @property
    def hash(self) -> str:
        """The scenario hash (16 hex digits), as in summary.json."""
    @property
    def seed(self) -> int:
        """The file's seed (default 1)."""
    @property
    def source(self) -> str:
        """Where the text came from: a path, ``builtin:NAME``, ``<string>`` or ``<dict>``."""
    @property
    def overrides(self) -> List[str]:
        """The overrides applied, as ``path=value`` strings."""
    @property
    def warnings(self) -> List[str]:
        """Valid values that are probably not meant, each located like an error."""
    def set(self, path: str, value: Any) -> "Scenario":
        """A new scenario with ``path`` (e.g. ``"policies.retry.retry.backoff"``) set to
        ``value`` (str, int, float, bool, list or dict); ScenarioError if it is not valid."""
    def to_toml(self) -> str:
        """The effective scenario as canonical TOML (the scenario.toml of ``meshsim run --out``)."""

class Result:
    """A finished run."""

    @property
    def summary(self) -> Dict[str, Any]:
        """The summary: summary.json (``meshsim run --json``) as a dict."""
    @property
    def summary_json(self) -> str:
        """summary.json's text, byte for byte."""
    @property
    def timeseries(self) -> Columns:
        """timeseries.csv as columns: ``time_s`` then one column per metric (NaN: no value)."""
    @property
    def events(self) -> Columns:
        """events.jsonl as columns (None where an event has no such key)."""
    @property
    def anatomy(self) -> List[str]:
        """The narrated anatomy: anatomy.txt's lines."""
    @property
    def seed(self) -> int:
        """The seed used."""
    @property
    def scenario(self) -> Scenario:
        """The effective scenario (after ``set`` and ``duration``)."""
    @property
    def stopped_early(self) -> Optional[str]:
        """The limit that stopped the run early (results are partial), or None."""
    @property
    def timing(self) -> Tuple[float, float]:
        """Wall-clock start and end of the simulation (seconds since the epoch); no result
        depends on it."""
    def timeline_svg(self) -> Svg:
        """The incident timeline (timeline.svg)."""
    def timeline_png(self) -> bytes:
        """The incident timeline (timeline.png)."""
    def topology_svg(self) -> Svg:
        """The call graph (topology.svg)."""
    def topology_png(self) -> bytes:
        """The call graph (topology.png)."""
    def files(self) -> Dict[str, bytes]:
        """Every file ``meshsim run --out`` writes, by name."""
    def write(self, dir: Union[str, "os.PathLike[str]"]) -> List[str]:
        """Writes those files into ``dir`` as the CLI does (a previous run's directory is
        replaced; any other non-empty one raises FileExistsError); returns their paths."""
    def _repr_html_(self) -> str:
        """The summary, the timeline and the anatomy, for Jupyter."""

class SweepResult:
    """A finished sweep."""

    @property
    def name(self) -> str:
        """The sweep's name."""
    @property
    def metrics(self) -> List[str]:
        """The metric paths, in the sweep file's order."""
    @property
    def warnings(self) -> List[str]:
        """Warnings about the sweep's points."""
    @property
    def runs(self) -> Columns:
        """runs.csv as columns: a row per run."""
    @property
    def points(self) -> Columns:
        """points.csv as columns: a row per point, each metric's mean and 95% interval."""
    def plot(self, metric: str, format: str = "svg", heatmap: bool = False) -> Union[Svg, bytes]:
        """The chart of ``metric`` (path, label or slug): SVG, or PNG bytes with ``format="png"``;
        ``heatmap=True`` for a two-dimension sweep's heatmap."""
    def files(self) -> Dict[str, bytes]:
        """The files ``meshsim sweep`` writes (runs.csv, points.csv, sweep.json, charts/...)."""
    def _repr_html_(self) -> str:
        """Each metric's chart and the points table, for Jupyter."""
