"""Typed errors raised by the core.

Every error carries a stable ``code`` for programs and a Chinese ``message``
for the cadre that says what is wrong, plus an optional ``hint`` that says
what to do. The CLI prints ``message`` (and ``hint``) to stderr and exits 1;
the GUI shows them in a dialog.
"""

from __future__ import annotations

from typing import Any


class StationError(Exception):
    """Base class: input or state the program refuses, with a Chinese message."""

    code: str = "error"

    def __init__(self, message: str, *, hint: str = "", code: str | None = None,
                 field: str | None = None, **facts: Any):
        super().__init__(message)
        self.message = message
        self.hint = hint
        #: The form field the problem is about, when there is one.
        self.field = field
        if code is not None:
            self.code = code
        self.facts = facts

    def user_text(self) -> str:
        """The sentence shown to a person: what happened, then what to do."""
        return f"{self.message}{self.hint}" if self.hint else self.message

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.user_text()


class ValidationError(StationError):
    """A field value is not acceptable. ``field`` names the field."""

    code = "invalid"

    def __init__(self, field: str, message: str, *, hint: str = "", **facts: Any):
        super().__init__(message, hint=hint, field=field, **facts)


class NotFoundError(StationError):
    code = "not_found"


class ConflictError(StationError):
    """The write would contradict existing data (duplicate ID number, ...)."""

    code = "conflict"


class StorageError(StationError):
    """The database file cannot be used as it is (damaged, foreign, too new)."""

    code = "storage"
