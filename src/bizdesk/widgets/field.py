"""A form's field as a screen declares it: what it holds, how it is typed, what it starts with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Field:
    name: str
    label: str
    kind: str = "text"  # text, number, multiline, select, checkbox, contact, organization
    value: Any = ""
    required: bool = False
    options: tuple[str, ...] = ()
    placeholder: str = ""
    width: str = "1fr"  # in a lines editor: the column's share of the row
