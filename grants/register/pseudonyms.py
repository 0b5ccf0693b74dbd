"""Telling a pseudonymous code (TUK-017, MA-17, F-2024-003) from text that identifies a person:
a name, a given name on its own, an e-mail address, a personal code or the date part of one.
The register must hold no such thing, so `participants` refuses it as a code."""

import itertools
import re
import unicodedata
from datetime import date

# A whole Latvian personal code (ddmmyy-nnnnn, or the newer 32nnnn-nnnnn), hyphen or not.
_PERSONAL_CODE = re.compile(r"\d{6}-?\d{5}")
# Six digits that begin a run (then a hyphen, or at most five more digits): the date part of a
# personal code, checked as ddmmyy by `_is_day`.
_CODE_START = re.compile(r"(?<!\d)(\d\d)(\d\d)(\d\d)(?=-|\d{0,5}(?!\d))")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_WORD = re.compile(r"[^\W\d_]+")

# Common Latvian given names, lower-case and without diacritics (as `_plain` writes words).
_GIVEN_NAMES = """
    agita agnese aija aina aiva alise amelija anastasija andra anete anita anna antra arta
    astrida baiba beate daiga daina dace dagnija dana darja diana dina dzintra edite elina
    elizabete elza emilija estere evija gunta guna gita ieva ilona ilze inara inese inga
    irena iveta jana jelena jolanta karina katrina kristine laila laima laura lasma liene
    liga lilija lilita linda lucija madara maija marija marta monta natalija olga paula
    rasma renate ruta sandra sanita santa sarmite signe silvija sintija sofija solvita
    svetlana tatjana una valentina vija vineta zane zanda zinaida
    agris aigars aivars aldis aleksandrs aleksejs andrejs andris armands arturs arvids
    dainis davis dmitrijs edgars edvards egils emils eriks gatis girts gunars guntis
    gustavs ilmars imants ivans ivars janis jekabs juris karlis kaspars kristaps lauris
    mareks maris markuss martins matiss nikolajs normunds olegs oskars peteris raimonds
    reinis renars ricards rihards roberts rolands ronalds sandis sergejs toms uldis
    valdis valters viktors vilnis vladimirs zigmunds
"""
GIVEN_NAMES = frozenset(_GIVEN_NAMES.split())


def looks_identifying(text: str) -> bool:
    """A personal code or its date part ("010190", "010190-123"), an e-mail address, a given
    name on its own ("Anna", "janis") or two capitalised words in a row, as a first and last
    name are written ("Anna Bērziņa")."""
    if _PERSONAL_CODE.search(text) or _EMAIL.search(text):
        return True
    if any(_is_day(*(int(part) for part in m.groups())) for m in _CODE_START.finditer(text)):
        return True
    if any(_plain(word) in GIVEN_NAMES for word in _WORD.findall(text)):
        return True
    words = text.split()
    return any(_capitalised(a) and _capitalised(b) for a, b in itertools.pairwise(words))


def _is_day(day: int, month: int, year: int) -> bool:
    """Whether ddmmyy is a date; 29 February in any year divisible by four."""
    try:
        date(2000 + year, month, day)
    except ValueError:
        return False
    return True


def _plain(word: str) -> str:
    """Lower-case without diacritics: "Jānis" and "JANIS" both become "janis"."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _capitalised(word: str) -> bool:
    """ "Anna", "Bērziņa-Kalniņa": each part a capital followed by lower-case letters."""
    return all(
        len(part) > 1 and part[0].isupper() and part[1:].isalpha() and part[1:].islower()
        for part in word.split("-")
    )
