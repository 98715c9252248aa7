"""A form's field as a screen declares it: what it holds, how it is typed, what it starts with.

``label`` and ``placeholder`` are written in English at import time (marked with ``N_``) and
shown translated by the form. A select's ``options`` are the values saved; ``option_labels``
(value -> English text marked with ``N_``) names them on screen, translated; options without
a label (stage names from the store) are shown as they are."""

from __future__ import annotations

from collections.abc import Mapping
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
    option_labels: Mapping[str, str] | None = None  # a select's values as shown (N_-marked)
