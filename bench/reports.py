"""Reports benchmark: the provincial dashboard under load at national scale, and the inspection
report job against WeasyPrint alone.

    .venv/bin/python bench/reports.py [--db creditbank_bench_ledger] [--learners 1000000]
                                      [--entries-per 20] [--seconds 6] [--rounds 3]
                                      [--clients 4] [--report-rounds 3]

Uses the national-scale database of bench/ledger.py (30,031 institutions over 77 provinces,
``--learners`` learners and ``--learners × --entries-per`` ledger entries; generated when
missing), adds approved courses to every institution of one province (``bench-centre``'s) and
rebuilds every province's dashboard summaries (printing how long), then:

(a) serves the app with gunicorn (2 sync workers) and loads ``bench-centre``'s provincial
    dashboard and the bare one-query baseline view in alternating rounds;
(b) opens an inspection round in the province closest to 300 institutions, with its offices as
    agencies (their parts written), and times the whole report job (``document_render``: figures over the ledger, content, HTML,
    PDF, storage) against WeasyPrint rendering the same final HTML alone, alternating, medians.

Last line: ``dashboard_ratio=<dashboard rps / baseline rps> report_overhead=<job / render>``.
Targets: dashboard ratio ≥ 0.5; report overhead ≤ 1.5.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ledger import ensure_ledger  # noqa: E402
from bench.web import BASELINE_PATH, free_port, load, sign_in, start_gunicorn  # noqa: E402

DASHBOARD_PATH = "/reports/dashboard/"
CENTRE_USER = "bench-centre"
COURSES_PER_INSTITUTION = 20


def _province_and_user():
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=CENTRE_USER)
    membership = user.memberships.select_related("institution__province").get()
    return membership.institution.province, membership.institution, user


def add_courses(province) -> int:
    """Approved courses for every institution of the province (once)."""
    from courses.models import Course
    from institutions.models import Institution

    if Course.objects.filter(institution__province=province, code__startswith="BR").exists():
        return 0
    levels = ["lower_secondary", "upper_secondary", "vocational_cert", "non_formal"]
    groups = ["ง", "ว", "ค", "ท"]
    fields = ["เกษตร", "อาหาร", "ไฟฟ้า", "ช่างยนต์", "คอมพิวเตอร์"]
    rows = []
    for index, institution in enumerate(Institution.objects.filter(province=province)):
        for n in range(COURSES_PER_INSTITUTION):
            rows.append(
                Course(
                    institution=institution,
                    code=f"BR{index:04d}{n:02d}",
                    name_th=f"วิชา {n}",
                    credits=Decimal("1.0"),
                    hours=40,
                    level=levels[n % 4],
                    subject_group=groups[n % 4],
                    occupational_field=fields[n % 5],
                    academic_year=2567,
                    status="approved" if n % 5 else "submitted",
                )
            )
    Course.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def refresh_all() -> float:
    from reports.dashboard.services import summaries_refresh_all

    started = time.perf_counter()
    count = summaries_refresh_all()
    elapsed = time.perf_counter() - started
    print(f"dashboard summaries of {count} provinces rebuilt in {elapsed:.1f} s")
    return elapsed


def dashboard_queries(path: str) -> int:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=CENTRE_USER))
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200, path
    return len(captured)


def report_province(target: int = 300):
    """A typical province for the report: among those closest to ``target`` institutions, the
    one with the median number of ledger entries (bench/ledger.py piles most entries into the
    first provinces, which are measured apart)."""
    from django.db.models import Count

    from institutions.models import Institution, Province
    from learners.models import CreditEntry

    provinces = list(Province.objects.annotate(n=Count("institutions")).filter(n__gt=0))
    closest = min(abs(p.n - target) for p in provinces)
    candidates = {p.pk: p for p in provinces if abs(p.n - target) == closest}
    entries = dict(
        CreditEntry.objects.filter(institution__province__in=list(candidates))
        .values("institution__province")
        .annotate(n=Count("pk"))
        .values_list("institution__province", "n")
    )
    ordered = sorted(candidates, key=lambda pk: (entries.get(pk, 0), pk))
    province = candidates[ordered[len(ordered) // 2]]
    office = Institution.objects.get(province=province, kind=Institution.Kind.PROVINCIAL_OFFICE)
    return province, office


def report_round(province, office):
    from institutions.models import Institution
    from reports.models import FocusPoint, InspectionRound
    from reports.services import contributions, rounds

    existing = InspectionRound.objects.filter(province=province, fiscal_year=2567, number=1).first()
    if existing:
        return existing
    focus = FocusPoint.objects.get(number="2.4")
    agencies = Institution.objects.filter(
        province=province, kind__in=Institution.OFFICE_KINDS
    ).order_by("kind", "pk")
    round_ = rounds.round_create(
        actor=None, filing_office=office, fiscal_year=2567, number=1, policy=focus.policy,
        focus_point=focus, agencies=agencies,
    )  # fmt: skip
    text = (
        "หน่วยงานสำรวจรายวิชาอาชีพของสถานศึกษาในสังกัด เก็บข้อมูลรายวิชาทุกระดับ "
        "และเทียบรายวิชาเข้าสู่ระบบธนาคารหน่วยกิต ร่วมกับสำนักงานศึกษาธิการจังหวัด"
    )
    for contribution in round_.contributions.all():
        for section in round_.section_keys():
            contributions.section_save(
                actor=None, contribution=contribution, section=section,
                blocks=[{"kind": "paragraph", "text": text}]
                + [{"kind": "item", "text": f"กิจกรรมที่ {n} {text}"} for n in range(1, 4)],
            )  # fmt: skip
        contributions.contribution_submit(actor=None, contribution=contribution)
    return round_


def _page_count(data: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return int(match.group(1)) if match else 0


def report_overhead(round_, user, runs: int) -> tuple[float, float, int]:
    from creditbank.documents.jobs import document_render
    from creditbank.documents.pdf import render_pdf
    from creditbank.models import GeneratedDocument
    from reports import content as report_content
    from reports.services import documents

    html = documents.report_html(report_content.build(round_))
    render_pdf(html)  # warm fonts
    jobs, renders, pages = [], [], 0
    for _ in range(runs):
        document = GeneratedDocument.objects.create(
            kind=documents.DOCUMENT_KIND, title="bench", created_by=user,
            parameters={"round": round_.pk, "format": "pdf", "thai_digits": True},
        )  # fmt: skip
        started = time.perf_counter()
        document_render(document_id=document.pk)
        jobs.append(time.perf_counter() - started)
        document.refresh_from_db()
        assert document.status == "done", document.error
        started = time.perf_counter()
        data = render_pdf(html)
        renders.append(time.perf_counter() - started)
        pages = _page_count(data)
        document.file.delete(save=False)
    return statistics.median(jobs), statistics.median(renders), pages


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="creditbank_bench_ledger")
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--entries-per", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--report-rounds", type=int, default=3)
    args = parser.parse_args()

    ensure_ledger(args.db, args.learners, args.entries_per, False)
    province, _office, user = _province_and_user()
    added = add_courses(province)
    if added:
        print(f"added {added:,} courses to {province.slug}")
    refresh_all()
    from institutions.models import Institution
    from learners.models import CreditEntry

    report_prov, report_office = report_province()
    institutions = Institution.objects.filter(province=report_prov).count()
    entries = CreditEntry.objects.filter(institution__province=report_prov).count()
    round_ = report_round(report_prov, report_office)
    job_s, render_s, pages = report_overhead(round_, user, args.report_rounds)
    queries = {path: dashboard_queries(path) for path in (DASHBOARD_PATH, BASELINE_PATH)}

    port = free_port()
    server = start_gunicorn(port, args.db)
    try:
        cookie = sign_in(port, CENTRE_USER)
        for path in (DASHBOARD_PATH, BASELINE_PATH):
            load(port, path, cookie, 1.5, args.clients)
        ours, baseline = [], []
        for _ in range(args.rounds):
            ours.append(load(port, DASHBOARD_PATH, cookie, args.seconds, args.clients))
            baseline.append(load(port, BASELINE_PATH, cookie, args.seconds, args.clients))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    ours_rps, base_rps = statistics.median(ours), statistics.median(baseline)
    print(f"machine: {os.cpu_count()} cores; {args.clients} clients; db {args.db}")
    print(f"dashboard {DASHBOARD_PATH} ({province.slug}): {ours_rps:.1f} req/s "
          f"({queries[DASHBOARD_PATH]} queries)")  # fmt: skip
    print(f"bare baseline {BASELINE_PATH}: {base_rps:.1f} req/s ({queries[BASELINE_PATH]} queries)")
    print(
        f"inspection report, {report_prov.slug}: {institutions} institutions, {entries:,} ledger "
        f"entries, "
        f"{round_.contributions.count()} agencies, {pages} pages: job {job_s:.2f} s, "
        f"WeasyPrint alone {render_s:.2f} s"
    )
    print(f"dashboard_ratio={ours_rps / base_rps:.2f} report_overhead={job_s / render_s:.2f}")


if __name__ == "__main__":
    main()
