"""Thai is the default language: every message of the Thai catalogue must be translated."""

import re
from pathlib import Path

from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def _untranslated(po_text: str) -> list[str]:
    entries = po_text.split("\n\n")
    missing = []
    for entry in entries:
        if entry.lstrip().startswith("#~"):
            continue  # obsolete
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', entry, re.M)
        if not msgid or msgid.group(1).strip() == '""':
            continue
        strings = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', entry, re.M)
        if not strings or any(s.strip() == '""' for s in strings) or "#, fuzzy" in entry:
            missing.append(msgid.group(1).strip())
    return missing


def test_the_thai_catalogue_is_complete():
    po = (LOCALE / "th" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert _untranslated(po) == []
    assert (LOCALE / "th" / "LC_MESSAGES" / "django.mo").exists()
    assert (LOCALE / "en" / "LC_MESSAGES" / "django.mo").exists()


def test_thai_translations_are_used():
    with translation.override("th"):
        assert translation.gettext("Institutions") == "หน่วยงาน"
    with translation.override("en"):
        assert translation.gettext("Institutions") == "Institutions"
