"""Every message in the code has a Latvian translation, and placeholders survive translating."""

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from grants.core import i18n

ROOT = Path(__file__).parents[2]


def extracted_ids(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_", "-k", "gettext", "-k", "N_", "-k", "ngettext:1,2", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


def latvian_catalogue():
    with (i18n.LOCALE_DIR / "lv" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale="lv")


def test_every_message_has_a_latvian_translation(tmp_path):
    catalogue = latvian_catalogue()
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalogue
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    extracted = extracted_ids(tmp_path)
    assert len(extracted) > 300  # the extraction really found the app's messages
    missing = extracted - translated
    assert not missing, f"run scripts/update-catalogue and translate: {sorted(missing)}"


def test_translations_keep_their_placeholders():
    for message in latvian_catalogue():
        if not message.id or isinstance(message.id, tuple):
            continue
        assert set(re.findall(r"%\(\w+\)s", message.id)) == set(
            re.findall(r"%\(\w+\)s", message.string)
        ), message.id


def test_domain_errors_are_translated_with_their_values():
    import pytest

    from grants.core.money import AmountError, parse_amount

    with pytest.raises(AmountError) as refused:
        parse_amount("20 6107")
    error = refused.value
    i18n.set_locale("lv")
    assert i18n.translate_error(error.message, error.params).startswith(
        "„20 6107” ir nepareizi grupēta"
    )
    i18n.set_locale("en")
    assert i18n.translate_error(error.message, error.params).startswith("“20 6107” is grouped")
    i18n.set_locale("lv")


def test_latvian_plurals():
    i18n.set_locale("lv")
    assert [i18n.ngettext("%(num)d project", "%(num)d projects", n) for n in (1, 2, 21, 0)] == [
        "1 projekts",
        "2 projekti",
        "21 projekts",
        "0 projektu",
    ]
