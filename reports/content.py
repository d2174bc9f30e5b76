"""The content of an inspection report, in the form's order, ready for the PDF and the xlsx.

Built once per generation: the round's sections, each agency's submitted paragraphs and numbered
items under each section, the parts not submitted, and the live figures. Every string is final:
with ``thai_digits`` (the official form's default) every digit, in the agencies' text too, is a
Thai numeral and dates are Buddhist-era.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone, translation

from creditbank.thai import format_date, to_thai_digits

from .figures import FIGURES, RoundFigures, round_figures
from .models import AgencyContribution, InspectionRound, SectionBlock
from .models.rounds import (
    SECTION_GOOD_PRACTICE,
    SECTION_PROBLEMS,
    SECTION_SITUATION,
    SECTION_SUGGESTIONS,
)

FORM_TITLE = "แบบรายงานผล"
FORM_SUBTITLE = (
    "การตรวจราชการและติดตามประเมินผลการจัดการศึกษาของกระทรวงศึกษาธิการ "
    "รอบที่ {number} ประจำปีงบประมาณ พ.ศ. {year}"
)
POLICY_LABEL = "นโยบายการตรวจ"
SECTION_TITLES = {
    SECTION_SITUATION: "การวิเคราะห์สถานการณ์ในพื้นที่",
    "2": "ผลการดำเนินงานการขับเคลื่อนนโยบายฯ ตามจุดเน้นที่ {focus}",
    SECTION_PROBLEMS: "ปัญหาอุปสรรค",
    SECTION_SUGGESTIONS: "ข้อคิดเห็นและข้อเสนอแนะในภาพรวม",
    SECTION_GOOD_PRACTICE: "รูปแบบ แนวทาง หรือนวัตกรรมที่เป็นแบบอย่างที่ดี (ถ้ามี)",
}
NOT_SUBMITTED = "ยังไม่ได้ส่งข้อมูล (not submitted)"
FIGURES_TITLE = "ข้อมูลจากระบบธนาคารหน่วยกิต ณ วันที่ {when}"
PROVINCE_COLUMN = "รวมทั้งจังหวัด"


@dataclass
class Block:
    kind: str
    text: str
    number: str = ""  # "๑." for a numbered item


@dataclass
class AgencyPart:
    name: str
    submitted: bool
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Section:
    key: str
    number: str  # as printed: "๑)" or "๒.๑)"
    title: str
    parts: list[AgencyPart] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    empty_mark: str = ""  # "-" for section 5 when nobody wrote anything


@dataclass
class FigureTable:
    title: str
    columns: list[str]  # "(๑)" … and the province
    legend: list[tuple[str, str]]  # ("(๑)", agency name)
    rows: list[tuple[str, list[str]]]  # (label, values per column)


@dataclass
class ReportContent:
    round: InspectionRound
    title: str
    subtitle: str
    office: str
    policy_label: str
    policy: str
    focus: str
    sections: list[Section]
    figures: FigureTable
    missing: list[str]
    thai_digits: bool
    generated_at: dt.datetime


def _digits(thai_digits: bool):
    return (lambda text: to_thai_digits(text)) if thai_digits else (lambda text: str(text))


def build(
    round_: InspectionRound, *, thai_digits: bool = True, figures: RoundFigures | None = None
) -> ReportContent:
    d = _digits(thai_digits)
    with translation.override("th"):
        round_ = (
            InspectionRound.objects.select_related(
                "province", "policy", "focus_point", "filing_office"
            )
            .prefetch_related("focus_point__sub_points")
            .get(pk=round_.pk)
        )
        contributions = list(
            AgencyContribution.objects.filter(round=round_)
            .select_related("institution")
            .order_by("position", "pk")
        )
        blocks: dict[tuple[int, str], list[SectionBlock]] = {}
        for block in SectionBlock.objects.filter(contribution__round=round_).order_by(
            "contribution_id", "section", "position"
        ):
            blocks.setdefault((block.contribution_id, block.section), []).append(block)

        def parts_for(key: str) -> list[AgencyPart]:
            parts = []
            for contribution in contributions:
                name = d(contribution.institution.name_th)
                if not contribution.is_submitted:
                    parts.append(AgencyPart(name=name, submitted=False))
                    continue
                own = blocks.get((contribution.pk, key), [])
                if not own:
                    continue
                part = AgencyPart(name=name, submitted=True)
                item_number = 0
                for block in own:
                    number = ""
                    if block.kind == SectionBlock.Kind.ITEM:
                        item_number += 1
                        number = d(f"{item_number}.")
                    part.blocks.append(Block(kind=block.kind, text=d(block.text), number=number))
                parts.append(part)
            return parts

        focus = round_.focus_point
        results = Section(
            key="2",
            number=d("2)"),
            title=SECTION_TITLES["2"].format(focus=d(focus.number)),
            children=[
                Section(
                    key=sub.number,
                    number=d(f"{sub.number})"),
                    title=sub.title_th,
                    parts=parts_for(sub.number),
                )
                for sub in focus.sub_points.all()
            ],
        )
        sections = [
            Section(
                key=SECTION_SITUATION,
                number=d("1)"),
                title=SECTION_TITLES[SECTION_SITUATION],
                parts=parts_for(SECTION_SITUATION),
            ),
            results,
        ]
        for key in (SECTION_PROBLEMS, SECTION_SUGGESTIONS, SECTION_GOOD_PRACTICE):
            section = Section(key=key, number=d(f"{key})"), title=SECTION_TITLES[key])
            section.parts = parts_for(key)
            if key == SECTION_GOOD_PRACTICE and not any(p.submitted for p in section.parts):
                section.empty_mark = "-"
            sections.append(section)

        figures = figures or round_figures(round_)
        columns, legend = [], []
        for index, figure_set in enumerate(figures.agencies, start=1):
            label = d(f"({index})")
            columns.append(label)
            legend.append((label, d(figure_set.agency.name_th)))
        columns.append(PROVINCE_COLUMN)
        rows = []
        for key, label in FIGURES:
            values = [d(f.display(key)) for f in figures.agencies]
            values.append(d(figures.province.display(key)))
            rows.append((str(label), values))
        local_as_of = timezone.localtime(figures.as_of)
        when = f"{format_date(local_as_of.date())} เวลา {local_as_of:%H:%M} น."
        if figures.ledger_as_of:
            ledger_as_of = timezone.localtime(figures.ledger_as_of)
            when += (
                f" (ผู้เรียนและหน่วยกิต ณ {format_date(ledger_as_of.date())} "
                f"เวลา {ledger_as_of:%H:%M} น.)"
            )
        figure_table = FigureTable(
            title=d(FIGURES_TITLE.format(when=when)), columns=columns, legend=legend, rows=rows
        )

        return ReportContent(
            round=round_,
            title=FORM_TITLE,
            subtitle=d(FORM_SUBTITLE.format(number=round_.number, year=round_.fiscal_year)),
            office=d(round_.filing_office.name_th),
            policy_label=POLICY_LABEL,
            policy=round_.policy.title_th,
            focus=d(f"{focus.number} : {focus.title_th}"),
            sections=sections,
            figures=figure_table,
            missing=[d(c.institution.name_th) for c in contributions if not c.is_submitted],
            thai_digits=thai_digits,
            generated_at=timezone.now(),
        )
