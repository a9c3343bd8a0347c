"""Errors that name what was wrong with an input, so a command can print one clear line."""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Bad input from outside the program: a file, a setting, a frame, a command-line option.

    ``str(error)`` is one line of the form ``FILE:LINE: problem`` (file and line when known).
    """

    def __init__(self, problem: str, path: str | Path | None = None, line: int | None = None):
        self.problem = problem
        self.path = None if path is None else Path(path)
        self.line = line
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line is not None else f"{self.path}: "
        super().__init__(f"{where}{problem}")
