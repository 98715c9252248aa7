"""The characters text may never hold, one rule for the services that refuse them and the
interfaces that show them (a base module: both layers import it)."""

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
