"""The characters text may never hold, one rule for the services that refuse them and the
interfaces that show them (a base module: both layers import it)."""

import re

from bizdesk.reading import code

# What text may hold (DESIGN section 9), one rule for every field of every entity and import:
# no C0/C1 control characters (escape sequences, NUL, bell, carriage return...), no
# bidirectional embeddings, overrides or isolates (U+202A-U+202E, U+2066-U+2069: they make
# "Invoice\u202egpj.exe" read as "Invoiceexe.jpg"), no line or paragraph separators, no lone
# surrogates (not text; the store cannot even encode them). A multi-line field (notes,
# descriptions, comment bodies, interaction summaries) may hold "\n" and "\t" as well.
# The marks U+200E/U+200F/U+061C are allowed: right-to-left writing needs them, and they only
# set the direction of neutral characters next to them, so they cannot reverse a run of text.
# (a regex character class: services/base/validate.py refuses these characters in every field,
# formatting.visible shows them as codes on a terminal)
REFUSED_EVERYWHERE = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
)

# In a name shown inside a sentence (a file's path), line breaks and tabs are refused too:
# "new\nline.db" would split the sentence in two.
_NOT_IN_A_NAME = re.compile(f"[{REFUSED_EVERYWHERE}\t\n]")


def shown_name(name: object) -> str:
    """A name (a path, a URL) as a sentence shows it: each character text may not hold, line
    breaks and tabs included, as its code (<U+000A>), so the sentence stays one line and the
    name can still be read exactly."""
    return _NOT_IN_A_NAME.sub(lambda m: code(m.group()), str(name))


def name_part(name: str) -> str:
    """A part of a file name bizdesk makes from another name (a backup's, from the store's):
    without the characters a sentence would show as codes ("_" in their place)."""
    return _NOT_IN_A_NAME.sub("_", name)
