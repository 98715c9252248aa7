"""The errors a service may raise, with messages written for a shop owner.

The TUI shows them in the form or as a notification; the CLI prints them and exits 1. A
message may be a ``bizdesk.i18n.Message``: ``str(error)`` (what every door shows) gives it in
the language of the person at that door.
"""

from __future__ import annotations

from bizdesk.i18n import tr


class BizdeskError(Exception):
    """Base of every error meant for the person at the keyboard."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return tr(self.message)


class NotFound(BizdeskError):
    pass


class ValidationError(BizdeskError):
    """Bad input. ``fields`` maps a field name to what is wrong with it."""

    def __init__(self, fields: dict[str, str] | str, message: str | None = None) -> None:
        if isinstance(fields, str):
            fields = {"": fields}
        self.fields = dict(fields)
        self._joined = message is None
        if message is None:
            message = "; ".join(f"{k}: {v}" if k else v for k, v in self.fields.items())
        super().__init__(message)

    def field_message(self, name: str) -> str:
        """What is wrong with one field, in the reader's language."""
        return tr(self.fields[name])

    def __str__(self) -> str:
        if not self._joined:
            return tr(self.message)
        return "; ".join(f"{k}: {tr(v)}" if k else tr(v) for k, v in self.fields.items())


class PermissionDenied(BizdeskError):
    pass


class Conflict(BizdeskError):
    """Somebody else changed the record, or a unique value is already taken."""


class InvariantViolation(BizdeskError):
    pass


class StoreError(BizdeskError):
    """The store cannot be opened: too new, damaged, or not reachable."""


class StoreDamaged(StoreError):
    """The store's file is damaged: nothing is written to it; the message says how to restore."""


class ConfigError(BizdeskError):
    """The config file (or a BIZDESK_ variable) holds something bizdesk cannot use; the
    message names the file, the line and the key, and nothing is guessed in its place."""
