"""A form's field as a screen declares it: what it holds, how it is typed, what it starts with.

``label`` and ``placeholder`` are written in English at import time (marked with ``N_``) and
shown translated by the form. A select's ``options`` are the values saved; ``option_labels``
(value -> English text marked with ``N_``) names them on screen, translated; options without
a label (stage names from the store) are shown as they are."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bizdesk.i18n import _
from bizdesk.reading import date_hint

# A date field's placeholder: how the person writes dates ("DD/MM/AAAA"), put where a
# placeholder says {form} ("{form}, empty: today"; bizdesk.reading.date_hint)
DATE_FORM = "{form}"


def placeholder_text(placeholder: str) -> str:
    """A field's placeholder in the reader's language, a date's in the reader's form."""
    if not placeholder:
        return ""
    shown = _(placeholder)
    return shown.format(form=date_hint()) if "{form}" in placeholder else shown


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
    # type-ahead: a service's ``suggest(uow, typed) -> [texts]`` (products, accounts...)
    suggest: Callable[[Any, str], list[str]] | None = None
