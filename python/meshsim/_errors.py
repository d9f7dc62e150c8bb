"""meshsim.ScenarioError: a scenario or sweep that cannot be loaded."""

from typing import Optional


class ScenarioError(ValueError):
    """A scenario or sweep that cannot be loaded: the CLI's bad input (its exit code 2).

    ``str(e)`` is the message ``meshsim`` prints (``error: FILE:LINE:COLUMN: KEY: expected ...,
    found ...`` with the line and a caret underline); the attributes say where:

    - ``path``: the file, ``builtin:NAME``, ``<string>`` (TOML text) or ``<dict>``, or None;
    - ``line``, ``column``: 1-based, or None when the error is not in the text;
    - ``key``: the key path, e.g. ``services[0].replicas``, or None;
    - ``argument``: the ``set`` entry at fault (``path=value``), or None.
    """

    def __init__(
        self,
        message: str,
        path: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        key: Optional[str] = None,
        argument: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.key = key
        self.argument = argument

    def __reduce__(self):
        return (
            type(self),
            (self.message, self.path, self.line, self.column, self.key, self.argument),
        )
