"""Folded text for searching: what a search box compares, so that "Bucuresti" finds
"București" and "nguyen" finds "Nguyễn" on every back end (no database extension needed).

Folding is for finding only; what was typed is stored and shown unchanged.
"""

from __future__ import annotations

import unicodedata

# Letters that are not a base letter plus a combining mark, so NFKD leaves them whole.
_LETTERS = str.maketrans(
    {
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "ħ": "h",
        "Ħ": "h",
        "ı": "i",
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "œ": "oe",
        "Œ": "oe",
        "æ": "ae",
        "Æ": "ae",
        "þ": "th",
        "Þ": "th",
    }
)


def fold(value: str | None) -> str:
    """Lower case without accents: "Știrbu Nguyễn Đức" -> "stirbu nguyen duc"."""
    if not value:
        return ""
    if value.isascii():  # most names, every e-mail and phone: nothing to take off
        return value.lower()
    decomposed = unicodedata.normalize("NFKD", value.translate(_LETTERS))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.casefold().translate(_LETTERS)


def fold_fields(*values: str | None) -> str:
    """Several fields folded into one search column, one per line (a search never spans
    two fields)."""
    return "\n".join(map(fold, values))
