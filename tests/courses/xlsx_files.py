"""Build real .xlsx files for the import tests (openpyxl writes them; the importer reads them)."""

import io
import zipfile

from openpyxl import Workbook

HEADER_TH = ["รหัสวิชา", "ชื่อวิชา", "หน่วยกิต", "ชั่วโมง", "ระดับ", "ปีการศึกษา", "กลุ่มสาระ"]


def workbook_bytes(rows, *, title_rows=(), header=HEADER_TH, notes=(), sheet_hook=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    for title in title_rows:
        ws.append([title])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    for note in notes:
        ws.append([])
        ws.append([note])
    if sheet_hook:
        sheet_hook(ws)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def good_rows():
    return [
        ("ง21101", "การงานอาชีพ 1", 1.5, 60, "ม.ต้น", 2567, "การงานอาชีพ"),
        ("ง21201", "การปลูกลำไย", 1, 40, "มัธยมศึกษาตอนต้น", 2567, "การงานอาชีพ"),
        ("ง22202", "การทอผ้าไหมยกดอก", 1, 40, "ม.ต้น", 2567, "การงานอาชีพ"),
    ]


def rezip(data: bytes, *, add=None, replace=None) -> bytes:
    """Copy a workbook, adding or replacing parts of its zip."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if replace and item.filename in replace:
                content = replace[item.filename]
            target.writestr(item.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()
