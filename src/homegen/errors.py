"""Errors and exit codes; a leaf module that imports nothing else of homegen.

Only the CLI turns these into messages and exit codes (see ``homegen.cli``).
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FINDINGS = 1  # drift, findings, hand-edited files
EXIT_USAGE = 2  # usage or configuration error
EXIT_INTERNAL = 3  # a bug in homegen


@dataclass(frozen=True, order=True)
class ConfigProblem:
    """One problem in services.toml, located at ``file:line:col`` and a dotted key path."""

    file: str
    line: int
    col: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class HomegenError(Exception):
    """Base of every error homegen reports to a user; carries its exit code."""

    exit_code = EXIT_INTERNAL

    def lines(self) -> list[str]:
        """The message, one line per problem."""
        return [str(self)]


class UsageError(HomegenError):
    """A command was called wrongly or a file it needs is missing."""

    exit_code = EXIT_USAGE


class ConfigError(HomegenError):
    """services.toml is invalid; holds every problem found, in file order."""

    exit_code = EXIT_USAGE

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class DriftError(HomegenError):
    """The tree on disk differs from what homegen would write (check mode, hand edits)."""

    exit_code = EXIT_FINDINGS

    def __init__(self, message: str, paths: list[str]) -> None:
        self.paths = paths
        super().__init__(message)

    def lines(self) -> list[str]:
        return [str(self), *(f"  {p}" for p in self.paths)]


class InvalidTreeError(HomegenError):
    """The rendered tree failed validation, so nothing was written."""

    exit_code = EXIT_FINDINGS

    def __init__(self, findings: list[str]) -> None:
        self.findings = findings
        super().__init__("the rendered tree is invalid; nothing was written")

    def lines(self) -> list[str]:
        return [str(self), *self.findings]


class WriteError(HomegenError):
    """Writing the tree failed (disk full, permissions); the old tree is intact."""

    exit_code = EXIT_INTERNAL


class UnsafeTreeError(DriftError):
    """A path the writer would touch is a symlink (or a folder where a file belongs): a write
    through it could land outside the tree, so nothing was written."""


class LedgerTamperedError(DriftError):
    """The ledger names paths outside the tree (absolute, ``..``): it was edited or forged."""


class TreeLockedError(HomegenError):
    """Another homegen holds the tree's lock longer than the lock timeout."""

    exit_code = EXIT_FINDINGS
