"""Ledger benchmark: "My credits" under load at national scale, and a transfer evaluation.

    .venv/bin/python bench/ledger.py [--learners 1000000] [--entries-per 20] [--db NAME]
                                     [--seconds 6] [--rounds 3] [--clients 4] [--force]

1. Builds the benchmark database (bench/generate.py: 30,000 institutions over the 77 provinces),
   then writes ``--learners`` learners and ``--learners × --entries-per`` ledger entries with
   PostgreSQL COPY (indexes and foreign keys are dropped for the load and built again after,
   as a bulk load does) and prints how long generation took. Running it again with the same
   sizes reuses the data; ``--force`` rebuilds.
2. (a) Serves the app with gunicorn (2 sync workers) and loads the signed-in learner's
   "My credits" page (a learner with ``--entries-per`` entries) and the foundation's bare
   one-query baseline view with the same keep-alive clients in alternating rounds.
   (b) Times ``transfer_evaluate`` for a learner with 200 entries against a curriculum with
   150 approved mappings touching their courses (median of 30 runs, in-process).

The last line is ``ratio=<page rps / baseline rps> eval_ms=<median>``. Targets: ratio ≥ 0.5,
eval ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import PASSWORD, ensure_database  # noqa: E402
from bench.web import BASELINE_PATH, free_port, load, sign_in, start_gunicorn  # noqa: E402

PAGE_PATH = "/learners/me/"
PAGE_USER = "bench-learner"
EVAL_ENTRIES = 200
EVAL_MAPPINGS = 150
POOL_COURSES = 4000
CHUNK_ROWS = 200_000
BASIC_GRADES = [("4", "4.0"), ("3.5", "3.5"), ("3", "3.0"), ("2.5", "2.5"), ("2", "2.0"),
                ("1.5", "1.5"), ("1", "1.0"), ("0", "0.0")]  # fmt: skip
NOW = "2025-06-01 08:00:00+00"


def _check_digit(first_twelve: str) -> int:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first_twelve))
    return (11 - total % 11) % 10


# ---------------------------------------------------------------------------------------------
# Bulk load helpers


def _copy_text(cursor, table: str, columns: list[str], lines) -> int:
    """COPY tab-separated ``lines`` (already escaped) into ``table`` in large chunks."""
    count = 0
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with cursor.copy(sql) as copy:
        buffer = io.StringIO()
        for line in lines:
            buffer.write(line)
            count += 1
            if count % CHUNK_ROWS == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


def _strip_table(cursor, table: str) -> list[str]:
    """Drop the table's secondary indexes, unique and foreign-key constraints; return the SQL
    that restores them (foreign keys come back NOT VALID: the generator wrote valid ids)."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype IN ('p', 'u'))",
        [table, table],
    )
    indexes = cursor.fetchall()
    restore = []
    for name, kind, definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        suffix = " NOT VALID" if kind == "f" else ""
        restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}{suffix}')
    for name, definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
        restore.insert(0, definition)
    return restore


# ---------------------------------------------------------------------------------------------
# Generation


def _pool(province_school_ids, college_ids):
    """Courses learners earn credits in: occupational courses at schools and colleges."""
    from courses.models import Course

    rows = []
    institutions = province_school_ids[:800] + college_ids[:200]
    for n in range(POOL_COURSES):
        institution = institutions[n % len(institutions)]
        at_college = institution in set(college_ids[:200])
        code = f"2{n:04d}-{n % 9000 + 1000}" if at_college else f"ง2{n:04d}"
        rows.append(
            Course(
                institution_id=institution, code=code, name_th=f"วิชาทดสอบ {n}",
                name_en=f"Bench course {n}", credits=Decimal(1 + n % 3),
                level="voc_cert" if at_college else "lower_secondary",
                subject_group="voc" if at_college else "ง", academic_year=2567,
                status=Course.Status.APPROVED,
            )
        )  # fmt: skip
    created = Course.objects.bulk_create(rows, batch_size=2000)
    return [(c.pk, c.institution_id, c.code, c.name_th, c.name_en, c.level, c.subject_group,
             c.credits) for c in created]  # fmt: skip


def _entry_lines(learner_ids, entries_per: int, pool, *, first_key: int):
    """One ledger line per entry: mostly passed and verified, a few failed or unverified."""
    size = len(pool)
    key = first_key
    grades = BASIC_GRADES
    for learner_id in learner_ids:
        base = learner_id * 7919
        for n in range(entries_per):
            course_id, inst, code, name_th, name_en, level, group, credits = pool[
                (base + n * 104729) % size
            ]
            grade, points = grades[(learner_id + n) % 8 if n % 10 == 9 else (learner_id + n) % 5]
            passed = "f" if grade == "0" else "t"
            verified = "f" if n % 23 == 22 else "t"
            year = 2550 + (n * 3 + learner_id) % 18
            term = "1" if n % 2 else "2"
            key += 1
            natural = f"earn:{learner_id}:{inst}:{code}:{year}:{term}"
            yield (
                f"{learner_id}\tearn\tschool\t{inst}\t{course_id}\t{code}\t{name_th}\t{name_en}\t"
                f"{level}\t{group}\t{credits}\tbasic\t{grade}\t{points}\t{year}\t{term}\t"
                f"{passed}\t{verified}\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\t\t{natural}\t"
                f"b{key}\t\\N\t{NOW}\n"
            )


ENTRY_COLUMNS = [
    "learner_id", "kind", "source", "institution_id", "course_id", "course_code",
    "course_name_th", "course_name_en", "level", "subject_group", "credits", "grade_scale",
    "grade", "grade_points", "academic_year", "term", "passed", "verified", "verified_by_id",
    "valid_until", "reverses_id", "transfer_request_id", "mapping_id", "results_upload_id",
    "reference", "note", "natural_key", "idempotency_key", "created_by_id", "created_at",
]  # fmt: skip
LEARNER_COLUMNS = [
    "id", "identifier_type", "identifier", "title_th", "first_name_th", "last_name_th",
    "first_name_en", "last_name_en", "birth_date", "home_institution_id", "consent",
    "consent_at", "verified", "user_id", "linked_by_id", "linked_at", "pseudonymised",
    "pseudonymised_at", "created_by_id", "created_at", "updated_at",
]  # fmt: skip


def _learner_lines(first_id: int, count: int, school_ids):
    first_names = ["สมชาย", "สมหญิง", "กมลชนก", "ธนากร", "พิมพ์ชนก", "อนุชา", "วิไล", "ประเสริฐ"]
    last_names = ["ใจดี", "ใฝ่เรียน", "ทองคำ", "แก้วมณี", "สายสุข", "ศรีสุข", "บุญมา", "คำแก้ว"]
    schools = len(school_ids)
    for learner_id in range(first_id, first_id + count):
        twelve = f"9{learner_id:011d}"
        yield (
            f"{learner_id}\tcitizen_id\t{twelve}{_check_digit(twelve)}\t\t"
            f"{first_names[learner_id % 8]}\t{last_names[(learner_id // 8) % 8]}{learner_id}\t"
            f"\t\t\\N\t{school_ids[learner_id % schools]}\tt\t{NOW}\tt\t\\N\t\\N\t\\N\tf\t\\N\t"
            f"\\N\t{NOW}\t{NOW}\n"
        )


def generate(learners: int, entries_per: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from courses.models import Curriculum
    from equivalence.models import EquivalenceMapping, MappingCourse
    from institutions.models import Institution
    from learners.models import CreditEntry, Learner

    started = time.perf_counter()
    kinds = Institution.Kind
    school_ids = list(
        Institution.objects.filter(kind=kinds.SCHOOL).order_by("pk").values_list("pk", flat=True)
    )
    college_ids = list(
        Institution.objects.filter(kind=kinds.VOCATIONAL_COLLEGE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    User = get_user_model()
    with transaction.atomic():
        pool = _pool(school_ids, college_ids)
        target_college = Institution.objects.get(pk=college_ids[-1])
        curriculum = Curriculum.objects.create(
            institution=target_college, name="หลักสูตรประกาศนียบัตรวิชาชีพ (bench)",
            level="voc_cert", academic_year=2567, total_credits=Decimal("103"),
        )  # fmt: skip
        from courses.models import Course

        targets = Course.objects.bulk_create(
            [
                Course(
                    institution=target_college,
                    curriculum=curriculum,
                    code=f"3{n:04d}-2001",
                    name_th=f"วิชาปลายทาง {n}",
                    credits=Decimal(2),
                    level="voc_cert",
                    subject_group="voc",
                    academic_year=2567,
                    status=Course.Status.APPROVED,
                )
                for n in range(60)
            ]
        )
        reviewer = User.objects.create_user(username="bench-committee", password=PASSWORD)
        page_user = User.objects.create_user(username=PAGE_USER, password=PASSWORD)
        eval_sources = [p for p in pool if p[1] != target_college.pk][: EVAL_MAPPINGS + 40]
        mappings = EquivalenceMapping.objects.bulk_create(
            [
                EquivalenceMapping(
                    province_id=target_college.province_id,
                    credits_recognised=Decimal(2),
                    valid_from_year=2550 + n % 12,
                    status=EquivalenceMapping.Status.APPROVED,
                    proposed_by=reviewer,
                    decided_by=reviewer,
                    direction="mirrored" if n % 10 == 0 else "one_way",
                )
                for n in range(EVAL_MAPPINGS)
            ]
        )
        links = []
        for n, mapping in enumerate(mappings):
            sources = [eval_sources[n]] + ([eval_sources[n + 1]] if n % 5 == 0 else [])
            for source in sources:
                links.append(MappingCourse(mapping=mapping, course_id=source[0], side="source"))
            links.append(MappingCourse(mapping=mapping, course=targets[n % 60], side="target"))
        MappingCourse.objects.bulk_create(links)

    first_id = (Learner.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    generation = time.perf_counter()
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        learner_table = Learner._meta.db_table
        entry_table = CreditEntry._meta.db_table
        restore = _strip_table(cursor, learner_table) + _strip_table(cursor, entry_table)
        wrapper.connection.commit()
        written = _copy_text(
            cursor, learner_table, LEARNER_COLUMNS, _learner_lines(first_id, learners, school_ids)
        )
        # the extra learner: 200 entries over the mapped courses, for the evaluation
        eval_id = first_id + learners
        written += _copy_text(
            cursor, learner_table, LEARNER_COLUMNS, _learner_lines(eval_id, 1, school_ids)
        )
        wrapper.connection.commit()
        print(f"  {written:,} learners copied in {time.perf_counter() - generation:.1f} s")
        step = time.perf_counter()
        entries = _copy_text(
            cursor,
            entry_table,
            ENTRY_COLUMNS,
            _entry_lines(range(first_id, first_id + learners), entries_per, pool, first_key=0),
        )
        eval_pool = eval_sources * 2
        entries += _copy_text(
            cursor,
            entry_table,
            ENTRY_COLUMNS,
            _entry_lines([eval_id], EVAL_ENTRIES, eval_pool[: EVAL_ENTRIES + 7], first_key=entries),
        )
        wrapper.connection.commit()
        print(f"  {entries:,} entries copied in {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()
        for statement in restore:
            cursor.execute(statement)
        wrapper.connection.commit()
        print(f"  indexes and constraints rebuilt in {time.perf_counter() - step:.1f} s")
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{learner_table}', 'id'), %s)", [eval_id]
        )
        cursor.execute(f"ANALYZE {learner_table}")
        cursor.execute(f"ANALYZE {entry_table}")
        wrapper.connection.commit()
    page_learner = first_id + learners // 2
    Learner.objects.filter(pk=page_learner).update(user=page_user)
    print(
        f"generated {learners:,} learners and {entries:,} entries (COPY) in "
        f"{time.perf_counter() - started:.1f} s"
    )


def ensure_ledger(dbname: str, learners: int, entries_per: int, force: bool) -> None:
    ensure_database(dbname, force=force)
    from learners.models import CreditEntry, Learner

    have_learners = Learner.objects.count()
    if have_learners:
        have_entries = CreditEntry.objects.count()  # exact: a reused run must match its sizes
        wanted = learners * entries_per + EVAL_ENTRIES
        if have_learners == learners + 1 and have_entries == wanted:
            print(f"reusing {dbname}: {have_learners:,} learners, {have_entries:,} entries")
            return
        raise SystemExit(
            f"{dbname} holds {have_learners:,} learners and {have_entries:,} entries, not the "
            "sizes asked for: run again with --force (or another --db)"
        )
    generate(learners, entries_per)


# ---------------------------------------------------------------------------------------------
# Measuring


def eval_times(runs: int = 30) -> tuple[float, int, int]:
    """Median milliseconds of one transfer evaluation; entries and queries of one run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from courses.models import Curriculum
    from learners.models import Learner
    from learners.services.transfer import transfer_evaluate

    curriculum = Curriculum.objects.select_related("institution").get(name__endswith="(bench)")
    learner = Learner.objects.order_by("-pk").first()
    transfer_evaluate(learner=learner, curriculum=curriculum)  # warm
    with CaptureQueriesContext(connection) as captured:
        evaluation = transfer_evaluate(learner=learner, curriculum=curriculum)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        transfer_evaluate(learner=learner, curriculum=curriculum)
        times.append((time.perf_counter() - started) * 1000)
    counted = len(evaluation.counted_items)
    print(
        f"evaluation: {len(evaluation.items)} entries, {counted} count, "
        f"{evaluation.counted_credits} credits, {len(captured)} queries"
    )
    return statistics.median(times), len(evaluation.items), len(captured)


def page_queries() -> dict[str, int]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=PAGE_USER))
    result = {}
    for path in (PAGE_PATH, BASELINE_PATH):
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200, path
        result[path] = len(captured)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="creditbank_bench_ledger")
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--entries-per", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()

    ensure_ledger(args.db, args.learners, args.entries_per, args.force)
    eval_ms, eval_entries, eval_queries = eval_times()
    queries = page_queries()
    port = free_port()
    server = start_gunicorn(port, args.db)
    try:
        cookie = sign_in(port, PAGE_USER)
        for path in (PAGE_PATH, BASELINE_PATH):  # warm up both workers and caches
            load(port, path, cookie, 1.5, args.clients)
        ours, baseline = [], []
        for _ in range(args.rounds):
            ours.append(load(port, PAGE_PATH, cookie, args.seconds, args.clients))
            baseline.append(load(port, BASELINE_PATH, cookie, args.seconds, args.clients))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    ours_rps, base_rps = statistics.median(ours), statistics.median(baseline)
    print(f"machine: {os.cpu_count()} cores; {args.clients} clients; db {args.db}")
    print(
        f"my credits {PAGE_PATH} ({args.entries_per} entries): {ours_rps:.1f} req/s "
        f"({queries[PAGE_PATH]} queries)"
    )
    print(f"bare baseline {BASELINE_PATH}: {base_rps:.1f} req/s ({queries[BASELINE_PATH]} queries)")
    print(f"transfer evaluation: {eval_entries} entries, {eval_queries} queries, {eval_ms:.1f} ms")
    print(f"ratio={ours_rps / base_rps:.2f} eval_ms={eval_ms:.1f}")


if __name__ == "__main__":
    main()
