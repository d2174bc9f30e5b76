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


def test_each_message_is_defined_once_and_the_compiled_catalogue_is_current():
    # A merge can leave a message twice (msgfmt then refuses the file) or a .mo older than its .po.
    import gettext

    for lang in ("th", "en"):
        po = (LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
        live = [e for e in po.split("\n\n") if not e.lstrip().startswith("#~")]
        keys = [
            (re.search(r'^msgctxt ((?:".*"\n?)+)', e, re.M) or [None, ""])[1]
            + re.search(r'^msgid ((?:".*"\n?)+)', e, re.M).group(1)
            for e in live
            if re.search(r"^msgid ", e, re.M)
        ]
        assert len(keys) == len(set(keys)), [k for k in set(keys) if keys.count(k) > 1]
    mo = gettext.GNUTranslations((LOCALE / "th" / "LC_MESSAGES" / "django.mo").open("rb"))
    po = (LOCALE / "th" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    translated = [e for e in po.split("\n\n") if not e.lstrip().startswith("#~")]
    stale = []
    for entry in translated:
        msgid = re.search(r'^msgid "(.+)"$', entry, re.M)
        msgstr = re.search(r'^msgstr "(.+)"$', entry, re.M)
        if msgid and msgstr and "msgctxt" not in entry and "msgid_plural" not in entry:
            text = msgid.group(1).encode().decode("unicode_escape").encode("latin-1").decode()
            if mo.gettext(text) == text:
                stale.append(text)
    assert stale == [], f"django.mo is older than django.po: make messages ({stale[:5]})"
