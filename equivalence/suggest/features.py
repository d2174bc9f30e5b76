"""Course documents and text analysis for the suggestion engine (no Django, no downloads).

Thai is written without spaces, so names and descriptions are segmented with PyThaiNLP's
dictionary tokenizer ``newmm`` (its word list ships inside the installed package; nothing is
fetched at run time) extended with a short list of course vocabulary, then:

* compounds the dictionary knows as one word (``การผลิต``, ``ขนมไทย``, ``ปุ๋ยหมัก``) are also
  split into their dictionary parts, so ``การผลิตลำไย`` and ``ผลิตลำไย`` share ``ผลิต``;
* Thai function words are dropped; generic course words (``วิชา``, ``การ``, ``งาน``,
  ``เบื้องต้น``, ``พื้นฐาน``, ``introduction``, ``basic``...) are kept at a low weight because
  they still say a little (``งานไฟฟ้า`` vs ``ไฟฟ้า``);
* a small thesaurus maps everyday words to the curriculum word (``หมู`` → ``สุกร``);
* the Thai name also yields character 3-grams (generic words removed), which survive
  segmentation differences (``ขน|มอบ`` vs ``ขนม|อบ``) and spelling variants;
* English is lower-cased, split on non-letters and lightly stemmed (``weaving`` ≈ ``weave``);
* Thai digits are read as ASCII digits; bare numbers are not terms.

Segmentation results are cached per text run (course lists repeat the same phrases).
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal

ANALYZER_VERSION = 1  # bump when tokens change: a saved index with another version is rebuilt

# Fields of the term space; a term key is the field letter followed by the token.
NAME_TH = "t"  # words of the Thai name
NAME_EN = "e"  # words of the English name
NAME_GRAM = "g"  # character 3-grams of the Thai name
TEXT = "d"  # words of the name, description and learning outcomes (both languages)
FIELDS = (NAME_TH, NAME_EN, NAME_GRAM, TEXT)

GENERIC_WEIGHT = 0.3  # weight of a generic course word relative to a content word
PART_WEIGHT = 0.5  # weight of each dictionary part of a compound kept whole
GRAM_SIZE = 3
MIN_COMPOUND = 6  # shorter dictionary words (ลำไย, สุกร, ไฟฟ้า) are not split into parts
MIN_PART = 3  # nor into pieces shorter than this (เตรียม is not เต + รี + ยม)

LEVELS = (
    "primary",
    "lower_secondary",
    "upper_secondary",
    "voc_cert",
    "high_voc_cert",
    "associate",
    "bachelor",
    "short_course",
    "non_formal",
)


@dataclass(frozen=True, slots=True)
class CourseDoc:
    """One course as the engine sees it; build it from a ``courses.Course`` (same field names)."""

    id: Hashable
    institution_code: str
    code: str
    name_th: str
    name_en: str = ""
    description: str = ""
    learning_outcomes: str = ""
    credits: Decimal | float | None = None
    hours: int | None = None
    level: str = ""
    nqf_level: int | None = None
    subject_group: str = ""
    occupational_field: str = ""


# --- vocabulary -----------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Course vocabulary missing from PyThaiNLP's word list (or segmented into the wrong pieces).
DOMAIN_WORDS = _words(
    """
    ขนมอบ ยกดอก ผ้ายกดอก มัดย้อม ผ้ามัดย้อม นอกฤดู ก้อนเชื้อ ไฮโดรโปนิกส์ โซลาร์เซลล์
    ไมโครคอนโทรลเลอร์ อินเวอร์เตอร์ คาร์บูเรเตอร์ มัลติมิเตอร์ เบรกเกอร์ เต้ารับ ปัตตาเลี่ยน
    บาริสต้า เอสเพรสโซ คาปูชิโน ลาเต้ อาราบิกา เบเกอรี่ บิ๊กอุย ประดู่หางดำ พีแอลซี ไอโอที
    สมองกล สมองกลฝังตัว บัตเตอร์เค้ก ชิฟฟอน บราวนี่ คุกกี้ พาย พัฟ ครัวซองต์ โฮลวีต
    เกษตรอินทรีย์ ทฤษฎีใหม่ ผักสวนครัว ไม้ผล ไม้ดอก ไม้ประดับ ไม้กระถาง ตัดเย็บ เย็บปัก
    ไส้อั่ว แกงฮังเล น้ำพริกหนุ่ม น้ำพริกอ่อง ขันโตก ข้าวแต๋น ลูกประคบ ยาหม่อง น้ำหมัก
    บรรจุภัณฑ์ มัคคุเทศก์ แพลตฟอร์ม ออนไลน์ เว็บไซต์ เว็บเพจ กราฟิก แอนิเมชัน
    """
)

# Thai function words from PyThaiNLP that carry meaning in course names and stay terms.
KEEP_WORDS = _words(
    """
    ยก เขียน เก็บ เล็ก ผล ใหม่ ภาค ย่อย จับ พอเพียง เปิด ปิด นอก ใหญ่ สูง จัด จัดการ จัดทำ
    ประกอบ ปรับ ขึ้น ออก เพิ่ม ส่วน กลุ่ม ช่วย ตั้ง รวม ทาง ถูก
    """
)

GENERIC_TH = _words(
    """
    วิชา รายวิชา การ ความ งาน เบื้องต้น พื้นฐาน หลักการ หลัก ทั่วไป อาชีพ งานอาชีพ ประกอบอาชีพ
    ศึกษา เรียน เรียนรู้ ปฏิบัติ ฝึก ฝึกปฏิบัติ หลักสูตร ระยะสั้น ผู้เรียน นักเรียน ชั่วโมง
    ความรู้ ทักษะ วิธี วิธีการ ประเภท ชนิด เทคนิค ประยุกต์ การใช้ ใช้งาน ขั้นตอน จัด จัดการ
    จัดทำ ประกอบ ปรับ ขึ้น ออก เพิ่ม ส่วน กลุ่ม ช่วย ตั้ง รวม ทาง ถูก สำหรับ เพื่อ และ หรือ
    ระดับ มาตรฐาน ปลอดภัย ความปลอดภัย คุณภาพ ได้ ตาม ผลิตภัณฑ์ ทำ
    """
)

STOP_EN = _words(
    """
    a an and as at by for from in into of on or the to with its their your our his her
    i ii iii iv v 1 2 3
    """
)

GENERIC_EN = _words(
    """
    introduction introductory intro basic basics fundamental fundamentals principle principles
    elementary general course work skill skills practice practical career careers occupation
    occupational living life making make technique techniques technology applied application
    applications level beginner beginners
    """
)

# Everyday word -> the word the curricula use (applied to both sides). Keep it general: it is
# vocabulary, not a list of answers.
SYNONYMS = {
    "หมู": "สุกร",
    "วัว": "โค",
    "ควาย": "กระบือ",
    "ไก่บ้าน": "ไก่พื้นเมือง",
    "แอร์": "เครื่องปรับอากาศ",
    "เบเกอรี่": "ขนมอบ",
    "โซลาร์เซลล์": "เซลล์แสงอาทิตย์",
    "ไกด์": "มัคคุเทศก์",
    "อีเมล์": "อีเมล",
    "คอมพ์": "คอมพิวเตอร์",
    "เว็บ": "เว็บไซต์",
    "เว็บเพจ": "เว็บไซต์",
    "เน็ต": "อินเทอร์เน็ต",
    "ซ่อมแซม": "ซ่อม",
    "ซ่อมบำรุง": "ซ่อม",
    "บำรุงรักษา": "บำรุง",
    "ตัดเสื้อ": "ตัดเย็บ",
    "ทอมือ": "ทอ",
    "website": "web",
    "webpage": "web",
    "bakery": "bake",
    "baked": "bake",
    "pig": "swine",
    "hog": "swine",
    "cattle": "cow",
    "hen": "layer",
    "laying": "layer",
    "barber": "haircut",
    "computing": "computer",
    "coding": "programming",
    "program": "programming",
}

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_RUNS = re.compile(r"[\u0e01-\u0e4e]+|[a-z][a-z0-9+#]*|[0-9]+")
_THAI = re.compile(r"[\u0e01-\u0e4e]")
_COMBINING = frozenset("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e\u0e33\u0e45")  # fmt: skip


def normalise(text: str | None) -> str:
    """Lower-case, NFC, Thai digits as ASCII, no zero-width characters, ``ํ`` + ``า`` as ``ำ``."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text)).translate(_ZERO_WIDTH).translate(_THAI_DIGITS)
    return text.replace("\u0e4d\u0e32", "\u0e33").lower()


@functools.cache
def _dictionary():
    from pythainlp.corpus import thai_stopwords, thai_words
    from pythainlp.util import dict_trie

    words = set(thai_words()) | DOMAIN_WORDS
    stop = (set(thai_stopwords()) - KEEP_WORDS) | {"ๆ", "ฯ"}
    return dict_trie(words), frozenset(words), frozenset(stop)


@functools.lru_cache(maxsize=200_000)
def _segment(run: str) -> tuple[str, ...]:
    from pythainlp.tokenize import word_tokenize

    trie, _words, _stop = _dictionary()
    return tuple(t for t in word_tokenize(run, custom_dict=trie, engine="newmm") if t.strip())


@functools.lru_cache(maxsize=100_000)
def _split_compound(token: str) -> tuple[str, ...]:
    """Dictionary parts of a compound (longest first part first), or () if it has none."""
    _trie, words, _stop = _dictionary()
    return _split(token, words, top=True)


def _split(token: str, words: frozenset[str], *, top: bool) -> tuple[str, ...]:
    if not top and token in words:
        return (token,)
    if len(token) < 2 * MIN_PART:
        return ()
    for cut in range(len(token) - MIN_PART, MIN_PART - 1, -1):
        head, tail = token[:cut], token[cut:]
        if head in words and tail[0] not in _COMBINING:
            rest = _split(tail, words, top=False)
            if rest:
                return (head, *rest)
    return ()


@functools.lru_cache(maxsize=200_000)
def _thai_run_terms(run: str) -> tuple[tuple[tuple[str, float], ...], tuple[str, ...]]:
    """((word, weight), ...) and the content segments (for n-grams) of one Thai run."""
    _trie, _words, stop = _dictionary()
    terms: list[tuple[str, float]] = []
    segments: list[str] = []
    current = ""
    for token in _segment(run):
        if token in stop or len(token) < 2:
            if current:
                segments.append(current)
                current = ""
            continue
        parts = _split_compound(token) if len(token) > 3 else ()
        prefixed = bool(parts) and (parts[0] in GENERIC_TH or parts[0] in stop)
        if not prefixed and len(token) < MIN_COMPOUND:
            parts = ()
        if prefixed:
            # การผลิต, งานไฟฟ้า: the prefix is generic, the rest is the word
            content = parts[1:]
            if parts[0] not in stop:
                terms.append((parts[0], GENERIC_WEIGHT))
            terms.extend((_canonical(part), _weight(part)) for part in content if part not in stop)
            surface = "".join(content)
        else:
            terms.append((_canonical(token), _weight(token)))
            terms.extend(
                (_canonical(part), PART_WEIGHT * _weight(part))
                for part in parts
                if part not in stop
            )
            surface = token
        if token in GENERIC_TH or surface in GENERIC_TH or not surface:
            if current:
                segments.append(current)
                current = ""
        else:
            current += surface
    if current:
        segments.append(current)
    return tuple(terms), tuple(segments)


def _weight(token: str) -> float:
    return GENERIC_WEIGHT if token in GENERIC_TH or token in GENERIC_EN else 1.0


def _canonical(token: str) -> str:
    return SYNONYMS.get(token, token)


# (suffix, replacement) tried in order, the first that leaves a stem of 3+ letters wins:
# electrician / electrical / electricity -> electric, weaving / weave -> weav
_EN_SUFFIXES = (
    ("ician", "ic"), ("icity", "ic"), ("ical", "ic"), ("ities", ""), ("ity", ""), ("ness", ""),
    ("ments", ""), ("ment", ""), ("ings", ""), ("ing", ""), ("ies", "i"), ("ed", ""), ("es", ""),
    ("al", ""), ("s", ""),
)  # fmt: skip


@functools.lru_cache(maxsize=50_000)
def _stem_en(word: str) -> str:
    """A light English stemmer for course names (consistent, not linguistically exact)."""
    if word.endswith(("ss", "us", "is")):
        return word
    for suffix, replacement in _EN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    elif word.endswith("y") and len(word) > 4:
        word = word[:-1] + "i"
    return word


def _english_terms(run: str) -> list[tuple[str, float]]:
    if run in STOP_EN or run.isdigit():
        return []
    weight = GENERIC_WEIGHT if run in GENERIC_EN else 1.0
    word = SYNONYMS.get(run, run)
    return [(SYNONYMS.get(_stem_en(word), _stem_en(word)), weight)]


def analyse_text(text: str) -> tuple[list[tuple[str, float]], list[str]]:
    """Weighted word terms and Thai content segments of one text (any language mix)."""
    terms: list[tuple[str, float]] = []
    segments: list[str] = []
    for run in _RUNS.findall(normalise(text)):
        if _THAI.match(run):
            run_terms, run_segments = _thai_run_terms(run)
            terms.extend(run_terms)
            segments.extend(run_segments)
        elif not run.isdigit():
            terms.extend(_english_terms(run))
    return terms, segments


def grams(segments: Iterable[str], size: int = GRAM_SIZE) -> list[str]:
    out: list[str] = []
    for segment in segments:
        if len(segment) <= size:
            if len(segment) >= 2:
                out.append(segment)
            continue
        out.extend(segment[i : i + size] for i in range(len(segment) - size + 1))
    return out


def _tf(weights: dict[str, float]) -> dict[str, float]:
    """Sub-linear term frequency: 1 + ln(tf) above one occurrence, the weight itself below."""
    return {t: (w if w <= 1.0 else 1.0 + math.log(w)) for t, w in weights.items()}


def _accumulate(into: dict[str, float], field: str, terms: Iterable[tuple[str, float]]) -> None:
    for term, weight in terms:
        key = field + term
        into[key] = into.get(key, 0.0) + weight


def course_terms(doc: CourseDoc) -> dict[str, float]:
    """Term key (field letter + token) -> tf weight for every field of a course."""
    raw: dict[str, float] = {}
    th_terms, th_segments = analyse_text(doc.name_th)
    en_terms, _ = analyse_text(doc.name_en)
    _accumulate(raw, NAME_TH, th_terms)
    _accumulate(raw, NAME_EN, en_terms)
    for gram in grams(th_segments):
        key = NAME_GRAM + gram
        raw[key] = raw.get(key, 0.0) + 1.0
    _accumulate(raw, TEXT, th_terms)
    _accumulate(raw, TEXT, en_terms)
    for text in (doc.description, doc.learning_outcomes):
        body_terms, _ = analyse_text(text)
        _accumulate(raw, TEXT, body_terms)
    return _tf(raw)


def display_word(term_key: str) -> str:
    """The word a term key stands for, as shown to people."""
    return term_key[1:]


def as_float(value) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def clear_caches() -> None:
    """Forget cached segmentations (the dictionary stays loaded); for benchmarks and tests."""
    for cached in (_segment, _split_compound, _thai_run_terms, _stem_en):
        cached.cache_clear()
