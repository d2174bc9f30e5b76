"""Course-list import benchmark: our pipeline vs django-import-export, same rows, same run.

    .venv/bin/python bench/import_courses.py [--rows 50000] [--memory-rows 100000]

Generates a course-list workbook, imports it end to end into PostgreSQL through the real
services (file checks, calamine read, validation of every row, preview rows, one-transaction
commit with history), then imports the same rows with django-import-export into the same model.
Peak memory of our import is measured in a child process on ``--memory-rows`` rows. The
suggestion-index update that course changes queue (a Celery job on a worker in production) is
not part of the timed import.
Last line: ``ratio=<ours / django-import-export rows per second> rows_per_s=<ours>``.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import ensure_database, setup_django  # noqa: E402

HEADER = ["รหัสวิชา", "ชื่อวิชา", "ชื่อวิชาภาษาอังกฤษ", "หน่วยกิต", "ชั่วโมง", "ระดับ", "ปีการศึกษา", "กลุ่มสาระ"]
WORDS = ["การปลูก", "ลำไย", "อาหาร", "ไฟฟ้า", "คอมพิวเตอร์", "ทอผ้า", "ขนม", "เกษตร", "ช่าง", "ธุรกิจ"]


def workbook(rows: int, year: int) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("รายวิชา")
    ws.append(HEADER)
    for n in range(rows):
        ws.append([
            f"{20000 + n // 10000:05d}-{n % 10000:04d}", f"{WORDS[n % 10]}{WORDS[(n // 10) % 10]} {n}",
            f"Course {n}", 2, 72, "ปวช.", year, "วิชาชีพ",
        ])  # fmt: skip
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _cpu_seconds() -> tuple[float, float | None]:
    """CPU time of this process and of its PostgreSQL backend (when the server is local)."""
    from django.db import connection

    usage = resource.getrusage(resource.RUSAGE_SELF)
    mine = usage.ru_utime + usage.ru_stime
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return mine, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return mine, None


def ours(data: bytes, institution, year: int, stages: dict | None = None) -> float:
    """Receive, check (the preview) and confirm ``data``; seconds, and per stage in ``stages``."""
    from django.db import transaction

    from courses import services

    stages = {} if stages is None else stages
    cpu = _cpu_seconds()
    started = time.perf_counter()
    with transaction.atomic():
        upload = services.course_upload_receive(
            actor=None,
            institution=institution,
            data=data,
            file_name="bench.xlsx",
            academic_year=year,
        )
    upload = services.course_upload_check(upload_id=upload.pk)
    assert upload.status == "preview" and not upload.counts.get("error"), upload.counts
    checked = time.perf_counter()
    cpu_checked = _cpu_seconds()
    services.course_upload_commit(actor=None, upload=upload)
    finished = time.perf_counter()
    cpu_finished = _cpu_seconds()
    stages["check"] = (checked - started, *_spent(cpu, cpu_checked))
    stages["commit"] = (finished - checked, *_spent(cpu_checked, cpu_finished))
    return finished - started


def _spent(before, after):
    python = after[0] - before[0]
    database = after[1] - before[1] if before[1] is not None and after[1] is not None else None
    return python, database


def theirs(data: bytes, institution) -> float:
    import tablib
    from import_export import fields, resources

    from courses.models import Course

    class CourseResource(resources.ModelResource):
        code = fields.Field(attribute="code", column_name="รหัสวิชา")
        name_th = fields.Field(attribute="name_th", column_name="ชื่อวิชา")
        name_en = fields.Field(attribute="name_en", column_name="ชื่อวิชาภาษาอังกฤษ")
        credits = fields.Field(attribute="credits", column_name="หน่วยกิต")
        hours = fields.Field(attribute="hours", column_name="ชั่วโมง")
        academic_year = fields.Field(attribute="academic_year", column_name="ปีการศึกษา")

        def get_queryset(self):  # the institution's courses: lookups use the natural key
            return Course.objects.filter(institution=institution)

        class Meta:
            model = Course
            import_id_fields = ("code", "academic_year")
            fields = ("code", "name_th", "name_en", "credits", "hours", "academic_year")
            use_bulk = True
            batch_size = 2000

        def before_save_instance(self, instance, row, **kwargs):
            instance.institution = institution
            instance.level = "voc_cert"
            instance.subject_group = "voc"

    started = time.perf_counter()
    dataset = tablib.Dataset().load(io.BytesIO(data), format="xlsx")
    result = CourseResource().import_data(dataset, dry_run=False, raise_errors=True)
    assert not result.has_errors()
    return time.perf_counter() - started


def _peak_rss_mb() -> int:
    """This process's own peak resident memory in MB.

    ``VmHWM`` is the high-water mark of this program's memory; ``ru_maxrss`` would report the
    parent's (a child started with vfork/exec inherits it: 507 MB of django-import-export).
    """
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="creditbank_bench")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--memory-rows", type=int, default=100_000)
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    ensure_database(args.db) if not args.memory_child else setup_django(args.db)
    from django.db import connection

    from courses.signals import courses_changed

    # The suggestion index follows course changes in a Celery job on a worker; with no broker
    # here that job would run inline inside the timed import (and in its memory), so it is
    # switched off: the benchmark times the import itself.
    courses_changed.disconnect(dispatch_uid="equivalence.suggest_index_update")

    from institutions import services as institution_services
    from institutions.models import Institution, Province

    def fresh_institution(code):
        existing = Institution.objects.filter(code=code).first()
        if existing:  # SQL deletes: the ORM's would load every course (and spoil peak memory)
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM courses_historicalcourse WHERE institution_id = %s", [existing.pk]
                )
                cursor.execute(
                    "DELETE FROM courses_course WHERE institution_id = %s", [existing.pk]
                )
                cursor.execute(
                    "DELETE FROM courses_uploadrow WHERE upload_id IN (SELECT id FROM "
                    "courses_courselistupload WHERE institution_id = %s)", [existing.pk],
                )  # fmt: skip
                cursor.execute(
                    "DELETE FROM courses_courselistupload WHERE institution_id = %s", [existing.pk]
                )
                # The next import meets a table as a real first import would, not one strewn
                # with the dead rows of this one's previous run (same keys in the indexes).
                for table in ("courses_course", "courses_historicalcourse", "courses_uploadrow"):
                    cursor.execute(f"VACUUM {table}")
        return existing or institution_services.institution_create(
            actor=None, code=code, name_th=code, kind="vocational_college", affiliation="ovec",
            province=Province.objects.get(slug="lamphun"),
        )  # fmt: skip

    if args.memory_child:
        data = workbook(args.memory_rows, 2568)
        ours(data, fresh_institution("BENCH-MEM"), 2568)
        print(_peak_rss_mb())
        return

    data = workbook(args.rows, 2567)
    print(f"workbook: {args.rows:,} rows, {len(data) / 1e6:.1f} MB")
    stages: dict = {}
    ours_s = ours(data, fresh_institution("BENCH-OURS"), 2567, stages)
    theirs_s = theirs(data, fresh_institution("BENCH-IE"))
    ours_rps, theirs_rps = args.rows / ours_s, args.rows / theirs_s
    print(f"ours: {ours_s:.1f} s ({ours_rps:,.0f} rows/s), including preview rows and history")
    for name, (wall, python, database) in stages.items():
        db = f", PostgreSQL backend {database:.2f} s CPU" if database is not None else ""
        print(f"  {name}: {wall:.2f} s wall, Python {python:.2f} s CPU{db}", flush=True)
    print(f"django-import-export: {theirs_s:.1f} s ({theirs_rps:,.0f} rows/s)", flush=True)
    child = subprocess.run(
        [sys.executable, __file__, "--db", args.db, "--memory-child", "--memory-rows", str(args.memory_rows)],
        capture_output=True, text=True, env={**os.environ},
    )  # fmt: skip
    if child.returncode == 0:
        peak_mb = child.stdout.strip().splitlines()[-1]
        print(f"peak memory of our import of {args.memory_rows:,} rows: {peak_mb} MB")
    else:
        print(f"peak memory: the measuring child failed: {child.stderr.strip().splitlines()[-1:]}")
    print(f"ratio={ours_rps / theirs_rps:.1f} rows_per_s={ours_rps:.0f}")


if __name__ == "__main__":
    main()
