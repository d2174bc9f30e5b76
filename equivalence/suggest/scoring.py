"""Structured features, the score formula and the explanation shown to committee members.

Score (hand-set weights, see ``Weights``; not fitted on the evaluation queries)::

    text  = weighted mean of TF-IDF cosines: Thai name words, English name words (only when both
            courses have an English name), Thai name 3-grams, all words (name + description +
            learning outcomes)
    shape = weighted mean of occupational-field agreement, credits/hours similarity and level
            closeness, each in [0, 1] (0.5 when unknown)
    score = text * ((1 - structure) + structure * shape)          in [0, 1]

Structured features can only lower a textual match (never create one): a course that shares no
words scores 0 whatever its credits or level.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable
from dataclasses import dataclass, field

from .features import CourseDoc, as_float, normalise


@dataclass(frozen=True, slots=True)
class Weights:
    name_th: float = 0.30
    name_en: float = 0.10
    name_gram: float = 0.20
    text: float = 0.40
    structure: float = 0.25  # share of the score that the structured features can take away
    field: float = 0.5
    size: float = 0.3
    level: float = 0.2


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True, slots=True)
class DocMeta:
    """What the index keeps of a course besides its terms (no description text)."""

    id: Hashable
    institution_code: str
    code: str
    name_th: str
    name_en: str
    credits: float | None
    hours: int | None
    level: str
    nqf_level: int | None
    subject_group: str
    occupational_field: str

    @classmethod
    def from_doc(cls, doc: CourseDoc) -> DocMeta:
        return cls(
            id=doc.id,
            institution_code=doc.institution_code or "",
            code=doc.code or "",
            name_th=doc.name_th or "",
            name_en=doc.name_en or "",
            credits=as_float(doc.credits) or None,  # 0: not credit-bearing (short courses)
            hours=int(doc.hours) if doc.hours not in (None, "") else None,
            level=doc.level or "",
            nqf_level=int(doc.nqf_level) if doc.nqf_level not in (None, "") else None,
            subject_group=doc.subject_group or "",
            occupational_field=doc.occupational_field or "",
        )


# --- occupational fields ----------------------------------------------------------------------

# (family, parents, keywords) checked in order; the first family whose keyword occurs wins.
# Field texts differ between systems (school "งานเกษตร", ปวช. "พืชศาสตร์", NFE "เกษตรกรรม"),
# so they are compared through these families. The NFE group names "อุตสาหกรรม",
# "พาณิชยกรรมและบริการ", "ความคิดสร้างสรรค์" are too broad to say anything and stay unknown.
FIELD_FAMILIES: tuple[tuple[str, frozenset[str], tuple[str, ...]], ...] = (
    ("agro_industry", frozenset({"agriculture", "food"}), ("อุตสาหกรรมเกษตร", "แปรรูป", "agro")),
    ("agri_mechanics", frozenset({"agriculture", "trades"}), ("ช่างกลเกษตร", "เครื่องจักรกลเกษตร")),
    ("agriculture", frozenset(), ("เกษตร", "พืช", "สัตว", "ประมง", "ปศุสัตว์", "agri", "farm")),
    ("food", frozenset({"home"}), ("อาหาร", "โภชนาการ", "ขนม", "food", "culinary")),
    ("textiles", frozenset({"home", "crafts"}), ("ผ้า", "สิ่งทอ", "แฟชั่น", "เครื่องแต่งกาย", "textile", "fashion")),
    ("beauty", frozenset({"services"}), ("ความงาม", "เสริมสวย", "beauty")),
    ("health", frozenset({"services"}), ("สปา", "นวด", "สุขภาพ", "spa", "health")),
    ("tourism", frozenset({"services"}), ("ท่องเที่ยว", "โรงแรม", "touris", "hotel")),
    ("electronics", frozenset({"trades", "it"}), ("อิเล็กทรอนิกส์", "electronic")),
    ("it", frozenset(), ("คอมพิวเตอร์", "สารสนเทศ", "ดิจิทัล", "เทคโนโลยี", "comput", "digital")),
    ("electrical", frozenset({"trades"}), ("ไฟฟ้า", "electric")),
    ("automotive", frozenset({"trades"}), ("ยนต์", "automotive", "motor")),
    ("metalwork", frozenset({"trades"}), ("เชื่อม", "โลหะ", "ช่างกล", "weld", "metal")),
    ("construction", frozenset({"trades"}), ("ก่อสร้าง", "โยธา", "สถาปัตย", "construct")),
    ("business", frozenset(), ("บัญชี", "การตลาด", "การขาย", "ธุรกิจ", "พาณิชย์", "ค้าปลีก", "account", "business", "marketing")),
    ("crafts", frozenset(), ("หัตถกรรม", "ประดิษฐ์", "ศิลป", "craft", "art")),
    ("home", frozenset(), ("คหกรรม", "งานบ้าน", "home")),
    ("trades", frozenset(), ("ช่าง", "อุตสาหกรรม", "industr")),
)  # fmt: skip

BROAD_FIELDS = frozenset(
    {"อุตสาหกรรม", "พาณิชยกรรมและบริการ", "พาณิชยกรรม", "ความคิดสร้างสรรค์", "อาชีพ", "อื่น ๆ"}
)


@functools.lru_cache(maxsize=4096)
def field_family(text: str) -> tuple[str, frozenset[str]] | None:
    """(family, family + parents) of an occupational field text, or None when unknown."""
    value = normalise(text).strip()
    if not value or value in BROAD_FIELDS:
        return None
    for family, parents, keywords in FIELD_FAMILIES:
        if any(keyword in value for keyword in keywords):
            return family, parents | {family}
    return None


def field_agreement(a: DocMeta, b: DocMeta) -> tuple[str, float]:
    """("same" | "related" | "different" | "unknown", feature value)."""
    fa, fb = field_family(a.occupational_field), field_family(b.occupational_field)
    if fa is None or fb is None:
        return "unknown", 0.5
    if fa[0] == fb[0] or normalise(a.occupational_field) == normalise(b.occupational_field):
        return "same", 1.0
    if fa[1] & fb[1]:
        return "related", 0.7
    return "different", 0.0


def size_similarity(a: DocMeta, b: DocMeta) -> float:
    """min/max of hours when both are known, else of credits; 0.5 when neither pair is known."""
    for x, y in ((a.hours, b.hours), (a.credits, b.credits)):
        if x and y and x > 0 and y > 0:
            return min(x, y) / max(x, y)
    return 0.5


def level_closeness(a: DocMeta, b: DocMeta) -> float:
    """1 for the same NQF level, falling by 0.2 a level (school → ปวช. is two levels: 0.6)."""
    if a.nqf_level and b.nqf_level:
        return max(0.0, 1.0 - 0.2 * abs(a.nqf_level - b.nqf_level))
    if a.level and b.level:
        return 1.0 if a.level == b.level else 0.5
    return 0.5


def structured(a: DocMeta, b: DocMeta, weights: Weights = DEFAULT_WEIGHTS) -> float:
    _agreement, field_value = field_agreement(a, b)
    total = weights.field + weights.size + weights.level
    return (
        weights.field * field_value
        + weights.size * size_similarity(a, b)
        + weights.level * level_closeness(a, b)
    ) / total


# --- explanation --------------------------------------------------------------------------------

LEVEL_LABELS = {
    "primary": ("ประถมศึกษา", "primary"),
    "lower_secondary": ("ม.ต้น", "lower secondary"),
    "upper_secondary": ("ม.ปลาย", "upper secondary"),
    "voc_cert": ("ปวช.", "vocational certificate"),
    "high_voc_cert": ("ปวส.", "higher vocational certificate"),
    "associate": ("อนุปริญญา", "associate degree"),
    "bachelor": ("ปริญญาตรี", "bachelor's degree"),
    "short_course": ("หลักสูตรระยะสั้น", "short course"),
    "non_formal": ("การศึกษานอกระบบ", "non-formal education"),
}


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a candidate was suggested; plain data, rendered by ``explain_text``."""

    shared_name_words: tuple[str, ...]
    shared_text_words: tuple[str, ...]
    name_similarity: float
    text_similarity: float
    credits_source: float | None
    credits_target: float | None
    hours_source: int | None
    hours_target: int | None
    level_source: str
    level_target: str
    nqf_source: int | None
    nqf_target: int | None
    subject_group_source: str
    subject_group_target: str
    field_source: str
    field_target: str
    field_agreement: str  # same | related | different | unknown

    @property
    def credits_difference(self) -> float | None:
        if self.credits_source is None or self.credits_target is None:
            return None
        return self.credits_target - self.credits_source

    @property
    def hours_difference(self) -> int | None:
        if self.hours_source is None or self.hours_target is None:
            return None
        return self.hours_target - self.hours_source

    @property
    def level_match(self) -> bool | None:
        if self.nqf_source and self.nqf_target:
            return self.nqf_source == self.nqf_target
        if self.level_source and self.level_target:
            return self.level_source == self.level_target
        return None

    @property
    def subject_group_match(self) -> bool | None:
        if not self.subject_group_source or not self.subject_group_target:
            return None
        return self.subject_group_source == self.subject_group_target

    def as_dict(self) -> dict:
        data = {name: getattr(self, name) for name in self.__slots__}
        data |= {
            "credits_difference": self.credits_difference,
            "hours_difference": self.hours_difference,
            "level_match": self.level_match,
            "subject_group_match": self.subject_group_match,
        }
        return data

    def text(self, lang: str = "th") -> str:
        return explain_text(self, lang)


def _number(value: float) -> str:
    return f"{value:g}"


def _signed(value: float) -> str:
    return f"+{value:g}" if value > 0 else f"{value:g}"


def _level(code: str, lang: str) -> str:
    labels = LEVEL_LABELS.get(code)
    return labels[0 if lang == "th" else 1] if labels else code


def explain_text(explanation: Explanation, lang: str = "th") -> str:
    """One short sentence in Thai (``th``) or English (``en``)."""
    th = lang == "th"
    e = explanation
    parts: list[str] = []
    if e.shared_name_words:
        words = ", ".join(e.shared_name_words)
        parts.append(f"ชื่อวิชามีคำร่วม: {words}" if th else f"shared name words: {words}")
    else:
        parts.append("ชื่อวิชาไม่มีคำร่วม" if th else "no shared name words")
    if e.shared_text_words:
        words = ", ".join(e.shared_text_words)
        parts.append(
            f"คำอธิบายรายวิชาและผลการเรียนรู้มีคำร่วม: {words}"
            if th
            else f"shared description and outcome words: {words}"
        )
    size: list[str] = []
    if e.credits_difference is not None:
        credits = f"{_number(e.credits_source)} → {_number(e.credits_target)}"
        if e.credits_difference == 0:
            size.append(
                f"หน่วยกิตเท่ากัน ({_number(e.credits_source)})"
                if th
                else f"same credits ({_number(e.credits_source)})"
            )
        else:
            label = "หน่วยกิต" if th else "credits"
            size.append(f"{label} {credits} ({_signed(e.credits_difference)})")
    if e.hours_difference == 0:
        size.append(f"ชั่วโมงเท่ากัน ({e.hours_source})" if th else f"same hours ({e.hours_source})")
    elif e.hours_difference is not None:
        label = "ชั่วโมง" if th else "hours"
        size.append(f"{label} {e.hours_source} → {e.hours_target} ({_signed(e.hours_difference)})")
    if size:
        parts.append(", ".join(size))
    if e.level_source or e.level_target:
        nqf = ""
        if e.nqf_source and e.nqf_target:
            nqf = f" (NQF {e.nqf_source} → {e.nqf_target})"
        if e.level_match:
            parts.append(
                f"ระดับเดียวกัน ({_level(e.level_target, lang)})"
                if th
                else f"same level ({_level(e.level_target, lang)})"
            )
        else:
            label = "ระดับ" if th else "level"
            parts.append(
                f"{label} {_level(e.level_source, lang)} → {_level(e.level_target, lang)}{nqf}"
            )
    field_text = {
        "same": ("สาขาอาชีพเดียวกัน", "same occupational field"),
        "related": ("สาขาอาชีพใกล้เคียงกัน", "related occupational field"),
        "different": ("สาขาอาชีพต่างกัน", "different occupational field"),
    }.get(e.field_agreement)
    if field_text:
        detail = f" ({e.field_source} / {e.field_target})" if e.field_agreement != "same" else ""
        parts.append((field_text[0] if th else field_text[1]) + detail)
    if e.subject_group_match:
        parts.append("กลุ่มสาระเดียวกัน" if th else "same subject group")
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] if not th else sentence


@dataclass(frozen=True, slots=True)
class Suggestion:
    doc_id: Hashable
    score: float
    institution_code: str
    code: str
    name_th: str
    name_en: str
    explanation: Explanation = field(compare=False)

    def explain_text(self, lang: str = "th") -> str:
        return explain_text(self.explanation, lang)


def best_words(scored: list[tuple[float, str]], limit: int) -> tuple[str, ...]:
    """Highest-weighted distinct words, dropping a word contained in one already chosen."""
    chosen: list[str] = []
    for _weight, word in sorted(scored, key=lambda item: (-item[0], item[1])):
        if word in chosen or any(word in other for other in chosen):
            continue
        chosen.append(word)
        if len(chosen) == limit:
            break
    return tuple(chosen)


def build_suggestion(
    score: float,
    source: DocMeta,
    target: DocMeta,
    *,
    shared_name: tuple[str, ...],
    shared_text: tuple[str, ...],
    name_similarity: float,
    text_similarity: float,
) -> Suggestion:
    agreement, _value = field_agreement(source, target)
    explanation = Explanation(
        shared_name_words=shared_name,
        shared_text_words=shared_text,
        name_similarity=round(name_similarity, 4),
        text_similarity=round(text_similarity, 4),
        credits_source=source.credits,
        credits_target=target.credits,
        hours_source=source.hours,
        hours_target=target.hours,
        level_source=source.level,
        level_target=target.level,
        nqf_source=source.nqf_level,
        nqf_target=target.nqf_level,
        subject_group_source=source.subject_group,
        subject_group_target=target.subject_group,
        field_source=source.occupational_field,
        field_target=target.occupational_field,
        field_agreement=agreement,
    )
    return Suggestion(
        doc_id=target.id,
        score=round(min(1.0, max(0.0, score)), 4),
        institution_code=target.institution_code,
        code=target.code,
        name_th=target.name_th,
        name_en=target.name_en,
        explanation=explanation,
    )
