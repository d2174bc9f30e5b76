"""Transcript PDF benchmark: our transcript render (WeasyPrint + the Thai text-layer fix) vs the
same render with the fix switched off, in one run, alternating rounds.

    .venv/bin/python bench/transcript_pdf.py [--rows 80] [--rounds 8]

The transcript is a full secondary-school record (``--rows`` entries over four institutions,
Thai names full of SARA AM and stacked marks). No database: the transcript is built in memory
and rendered through ``learners.services.transcripts.transcript_render``, exactly as the
document job does. Last line: ``fix_cost=<fixed median / raw median> ms=<fixed median>
pages=<n>``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from creditbank.documents import textlayer  # noqa: E402
from learners.models import Transcript  # noqa: E402
from learners.services import transcripts  # noqa: E402

NAMES = [
    "การทำน้ำพริกลำไยสำหรับจำหน่าย", "ผู้ประกอบการรุ่นใหม่", "ภาษาไทยเพื่อการสื่อสาร",
    "คณิตศาสตร์พื้นฐาน", "วิทยาศาสตร์และเทคโนโลยี", "สังคมศึกษา ศาสนาและวัฒนธรรม",
    "สุขศึกษาและพลศึกษา", "ศิลปะและดนตรีพื้นบ้านล้านนา", "การงานอาชีพ: งานไฟฟ้าในบ้าน",
    "ภาษาอังกฤษเพื่อการท่องเที่ยว", "การผลิตลำไยนอกฤดู", "การทอผ้าไหมยกดอกลำพูน",
    "คอมพิวเตอร์เบื้องต้น", "การบัญชีครัวเรือน", "งานช่างซ่อมบำรุงจักรยานยนต์",
]  # fmt: skip


def build(rows: int) -> Transcript:
    groups = []
    for index in range(4):
        group_rows = [
            {
                "year": 2563 + n // 10,
                "term": str(1 + n % 2),
                "code": f"ง2{index}{n:03d}",
                "name_th": NAMES[(n + index) % len(NAMES)],
                "name_en": "Course in English",
                "level": "lower_secondary",
                "credits": "1.5",
                "grade": "3",
                "points": "3",
                "reference": "",
            }
            for n in range(rows // 4)
        ]
        groups.append(
            {
                "transfer": False,
                "institution_th": f"โรงเรียนบ้านหนองช้างคืน {index}",
                "institution_en": f"Ban Nong Chang Khuen School {index}",
                "sources": ["school"],
                "rows": group_rows,
                "credits": str(1.5 * len(group_rows)),
                "gpa": "3.00",
            }
        )
    data = {
        "learner": {
            "name_th": "นางสาวกมลชนก ใฝ่เรียน",
            "name_en": "Kamonchanok Phairian",
            "identifier_type": "citizen_id",
            "identifier_masked": "1-5101-xxxxx-xx-1",
            "birth_date": "2009-06-14",
            "home_institution_th": "โรงเรียนบ้านหนองช้างคืน",
            "home_institution_en": "Ban Nong Chang Khuen School",
        },
        "province_th": "ลำพูน",
        "province_en": "Lamphun",
        "as_of": "2026-11-24",
        "groups": groups,
        "banked": str(1.5 * rows),
        "transferred": "0",
        "by_level": {"lower_secondary": str(1.5 * rows)},
        "courses": rows,
        "gpa": "3.00",
    }
    return Transcript(
        serial="TR2569-BENCH00000",
        signature="k20261124.bench-signature-not-checked-here",
        content={"v": 1, "sha256": transcripts.content_hash(data), "data": data},
        issued_at=timezone.now(),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=80)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    transcript = build(args.rows)

    def render() -> tuple[float, bytes]:
        start = time.perf_counter()
        data = transcripts.transcript_render(transcript, base_url="https://creditbank.example")
        return time.perf_counter() - start, data

    render()  # fonts, stylesheets and the wrapper are set up once per process
    with textlayer.disabled():
        render()
    fixed, raw = [], []
    for _ in range(args.rounds):
        elapsed, data = render()
        fixed.append(elapsed)
        with textlayer.disabled():
            raw.append(render()[0])
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout
    pages = int(re.search(rb"Pages:\s+(\d+)", info).group(1))
    fixed_ms, raw_ms = statistics.median(fixed) * 1000, statistics.median(raw) * 1000
    print(f"rows={args.rows} rounds={args.rounds} pdf_bytes={len(data)}")
    print(
        f"raw WeasyPrint (fix off) median {raw_ms:.0f} ms; with the Thai text-layer fix {fixed_ms:.0f} ms"
    )
    print(f"fix_cost={fixed_ms / raw_ms:.2f} ms={fixed_ms:.0f} pages={pages}")


if __name__ == "__main__":
    main()
