"""meshsim from Python: the deterministic microservice-failure simulator, in process.

The same engine, determinism and errors as the ``meshsim`` command line (the experiments
library is called directly, not through a subprocess); the simulation runs with the GIL
released, so threads and Ray or Dask workers run in parallel.

>>> import meshsim
>>> r = meshsim.run("cascade", seed=7)
>>> r.summary["clients"][0]["name"]
'uploaders'

See docs/python.md for the whole API.
"""

from ._columns import Columns, Svg
from ._errors import ScenarioError
from ._native import (
    Result,
    Scenario,
    SweepResult,
    __version__,
    builtins,
    load,
    run,
    show,
    sweep,
)

__all__ = [
    "Columns",
    "Result",
    "Scenario",
    "ScenarioError",
    "Svg",
    "SweepResult",
    "__version__",
    "builtins",
    "load",
    "run",
    "show",
    "sweep",
]
