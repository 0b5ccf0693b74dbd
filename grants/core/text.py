"""Text as codes are compared: look-alike spellings of one code are one code.

A code typed on another keyboard or pasted from a PDF may differ from the stored one only in
case, in full-width or compatibility forms ("Ａ1"), in invisible zero-width characters, in
combining marks or in spaces; unique indexes are on the compared form (`comparable`), so such
variants cannot enter twice, also when two writers race.
"""

import re
import unicodedata

# Zero-width space, non-joiner, joiner, word joiner, the byte-order mark used as one, and
# control characters other than spaces (refused on input, but a look-up by a typed code must
# not fail on one).
_CONTROLS = [c for c in range(0x20) if not chr(c).isspace()] + [0x7F]
_INVISIBLE = dict.fromkeys([*map(ord, "\u200b\u200c\u200d\u2060\ufeff"), *_CONTROLS])
_SPACES = re.compile(r"\s+")


def comparable(text: str) -> str:
    """`text` casefolded in Unicode compatibility form (NFKC), without zero-width or control
    characters and combining marks, inner spaces collapsed to one and none around it."""
    folded = unicodedata.normalize("NFKD", text.translate(_INVISIBLE)).casefold()
    decomposed = unicodedata.normalize("NFKD", folded)  # casefolding may compose again
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", bare)).strip()
