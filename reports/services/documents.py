"""Generating an inspection report (PDF or xlsx): the request, the rendering, the workbook."""

from __future__ import annotations

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from creditbank.documents.jobs import document_request
from creditbank.documents.pdf import render_pdf
from creditbank.documents.xlsx import SafeWorkbook, write_rows

from .. import content as report_content
from ..models import InspectionRound, RoundDocument
from .access import require_centre
from .errors import ReportsError
from .rounds import missing_parts

DOCUMENT_KIND = "reports.inspection_report"
FORMATS = (RoundDocument.Format.PDF, RoundDocument.Format.XLSX)


def report_filename(round_: InspectionRound, fmt: str) -> str:
    return (
        f"inspection-report-{round_.province.slug}-{round_.fiscal_year}-r{round_.number}"
        f"-{timezone.localdate():%Y%m%d}.{fmt}"
    )


@transaction.atomic
def report_request(
    *, actor, round_: InspectionRound, fmt: str = "pdf", thai_digits: bool = True
) -> RoundDocument:
    """Queue the report's generation. A round with parts not submitted is generated anyway,
    each missing part marked, and the names are kept with the generation (the page warns)."""
    require_centre(actor, round_)
    if fmt not in FORMATS:
        raise ReportsError(_("Choose PDF or xlsx."))
    missing = [c.institution.name_th for c in missing_parts(round_)]
    document = document_request(
        actor=actor,
        kind=DOCUMENT_KIND,
        title=_("Inspection report, round %(number)s, fiscal year %(year)s (%(format)s)")
        % {"number": round_.number, "year": round_.fiscal_year, "format": fmt.upper()},
        parameters={"round": round_.pk, "format": fmt, "thai_digits": bool(thai_digits)},
    )
    return RoundDocument.objects.create(
        round=round_, document=document, format=fmt, thai_digits=bool(thai_digits),
        missing_parts=missing,
    )  # fmt: skip


def report_html(content: report_content.ReportContent) -> str:
    return render_to_string(
        "reports/pdf/inspection_report.html",
        {"report": content, "thai_digits": content.thai_digits, "document_language": "th"},
    )


def report_pdf(round_: InspectionRound, *, thai_digits: bool = True, progress=None) -> bytes:
    progress = progress or (lambda *args: None)
    progress(10, _("Reading the agencies' parts and computing the figures"))
    content = report_content.build(round_, thai_digits=thai_digits)
    progress(50, _("Laying out the pages"))
    html = report_html(content)
    data = render_pdf(html)
    progress(95, _("Storing the file"))
    return data


def report_xlsx(round_: InspectionRound, *, thai_digits: bool = True, progress=None) -> bytes:
    """The same content as a workbook: one sheet per section, one for the figures."""
    progress = progress or (lambda *args: None)
    progress(10, _("Reading the agencies' parts and computing the figures"))
    content = report_content.build(round_, thai_digits=thai_digits)
    progress(60, _("Writing the workbook"))
    book = SafeWorkbook()
    head = book.sheet("แบบรายงาน")
    write_rows(
        head,
        ["รายการ", "ข้อความ"],
        [
            ("แบบรายงาน", f"{content.title} {content.subtitle}"),
            ("หน่วยงานที่รายงาน", content.office),
            (content.policy_label, content.policy),
            ("จุดเน้น", content.focus),
            ("หน่วยงานที่ยังไม่ได้ส่ง", ", ".join(content.missing) or "-"),
        ],
        widths=[22, 100],
    )
    header = ["หัวข้อ", "หน่วยงาน", "ลำดับ", "ประเภท", "ข้อความ"]

    def section_rows(section):
        rows = []
        for part in section.parts:
            if not part.submitted:
                rows.append((section.number, part.name, "", "", report_content.NOT_SUBMITTED))
                continue
            for block in part.blocks:
                kind = "ข้อ" if block.kind == "item" else "ย่อหน้า"
                rows.append((section.number, part.name, block.number, kind, block.text))
        if section.empty_mark:
            rows.append((section.number, "", "", "", section.empty_mark))
        return rows

    for section in content.sections:
        targets = section.children or [section]
        for target in targets:
            sheet = book.sheet(f"{target.number} {target.title}")
            write_rows(sheet, header, section_rows(target), widths=[8, 40, 6, 8, 100])
    figures = book.sheet("ตัวเลขจากระบบ")
    legend = dict(content.figures.legend)
    columns = [legend.get(column, column) for column in content.figures.columns]
    write_rows(
        figures,
        [content.figures.title, *columns],
        [(label, *values) for label, values in content.figures.rows],
        widths=[40] + [18] * len(columns),
    )
    progress(95, _("Storing the file"))
    return book.to_bytes()


def render(round_: InspectionRound, *, fmt: str, thai_digits: bool = True, progress=None):
    """``(filename, content type, bytes)`` of the report in ``fmt``."""
    if fmt == RoundDocument.Format.XLSX:
        data = report_xlsx(round_, thai_digits=thai_digits, progress=progress)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data = report_pdf(round_, thai_digits=thai_digits, progress=progress)
        content_type = "application/pdf"
    return report_filename(round_, fmt), content_type, data
