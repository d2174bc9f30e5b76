"""Certificate benchmark: 500 certificates issued and rendered by the real job path vs WeasyPrint
rendering the same 500 HTML pages directly, in the same run.

    .venv/bin/python bench/certificates.py [--count 500] [--database-url URL]

"Ours" is what a test-centre officer triggers: ``session_certificates_issue`` (serial numbers,
Ed25519 signatures, one certificate per result) and the session's document job run through the
Celery task (``document_render``, in-process) — laying out the certificates, storing each
certificate's own PDF, writing the combined PDF and recording progress. "Raw" is WeasyPrint
alone turning the very same 500 certificate pages (the HTML our job renders, QR codes
included) into one PDF, the cheapest way WeasyPrint can draw them. Both use the Thai text-layer
fix (creditbank/documents/textlayer.py); its own cost is measured separately on the raw path.

The last line is ``ratio=<ours / raw pages per second> per_cert_ms=<ours>``. Target: ratio >= 0.9.
A fresh SQLite database under a temporary directory is used unless --database-url is given.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database_url: str | None, workdir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "creditbank.settings.test"
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    import django
    from django.conf import settings

    django.setup()
    settings.MEDIA_ROOT = str(workdir / "media")
    settings.SIGNING_KEYS_DIR = workdir / "keys"
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


_built = [0]


def build(count: int):
    """A centre, an officer, a standard and a session where ``count`` candidates passed."""
    import datetime as dt

    from django.contrib.auth import get_user_model

    from institutions import services as institution_services
    from institutions.models import Institution, Membership, Province
    from learners import identifiers
    from learners.services.learners import learner_create
    from skills.models import Candidate, Result
    from skills.services import centres, sessions

    _built[0] += 1
    province, _ = Province.objects.get_or_create(
        code="51", defaults={"slug": "lamphun", "name_th": "ลำพูน", "name_en": "Lamphun"}
    )
    centre = institution_services.institution_create(
        actor=None, code=f"B-DSD-{_built[0]}", kind=Institution.Kind.TEST_CENTRE,
        affiliation="dsd", province=province, district="เมืองลำพูน",
        name_th="สำนักงานพัฒนาฝีมือแรงงานลำพูน (ศูนย์ทดสอบมาตรฐานฝีมือแรงงาน)",
    )  # fmt: skip
    officer = get_user_model().objects.create_user(f"bench-officer-{centre.pk}")
    institution_services.membership_add(
        actor=None, institution=centre, user=officer, role=Membership.Role.TEST_OFFICER
    )
    standard = centres.standard_save(
        actor=None, body="dsd", code="0721-01", level=1, name_th="ช่างไฟฟ้าภายในอาคาร",
        branch="ช่างไฟฟ้า", credits="2", validity_years=5,
    )  # fmt: skip
    centres.centre_branch_add(actor=None, centre=centre, branch="ช่างไฟฟ้า")
    session = sessions.session_create(
        actor=officer, centre=centre, standard=standard, starts_on=dt.date(2024, 8, 17),
        ends_on=dt.date(2024, 8, 18), capacity=count,
    )  # fmt: skip
    first_names = ["สมชาย", "ผู้ใหญ่ลำไย", "น้ำฝน", "ปั้นใจ", "ญาณิศา", "ฐิติพร", "กำพล", "ฎีกา"]
    for index in range(count):
        twelve = f"3{centre.pk % 100:02d}{index:09d}"
        learner = learner_create(
            actor=None, identifier=twelve + str(identifiers.citizen_id_check_digit(twelve)),
            title_th="นาย", first_name_th=first_names[index % len(first_names)],
            last_name_th=f"ใจดีสำราญ{index}",
        )  # fmt: skip
        candidate = Candidate.objects.create(session=session, learner=learner)
        Result.objects.create(candidate=candidate, passed=True, score=80, recorded_by=officer)
    return officer, session


def run_ours(officer, session):
    """Issue every certificate and run the session's document job; seconds and page count."""
    from django.db import transaction

    from creditbank import tasks
    from creditbank.models import GeneratedDocument
    from skills.models import Certificate
    from skills.services import certificates

    started = time.perf_counter(), time.process_time()
    issued = certificates.session_certificates_issue(actor=officer, session=session)
    with transaction.atomic():  # the job is queued on commit; run it here explicitly
        document = GeneratedDocument.objects.create(
            kind="skills.session_certificates", title="bench", created_by=officer,
            parameters={"session": session.pk},
        )  # fmt: skip
    tasks.document_render(document.pk)
    elapsed = _since(started)
    document.refresh_from_db()
    assert document.status == "done", document.error
    files = Certificate.objects.filter(pk__in=[c.pk for c in issued]).exclude(pdf="").count()
    assert files == len(issued), (files, len(issued))
    return elapsed, len(issued), document


def run_raw(certificates_list, *, lone: bool):
    """WeasyPrint alone on the same certificate pages: each page its own PDF (``lone``, the
    same files the job stores) or all pages in one document (the job's combined PDF)."""
    from weasyprint import HTML

    from creditbank.documents import pdf
    from skills.rendering import certificates_html

    pages = [certificates_html([c]) for c in certificates_list] if lone else None
    html = None if lone else certificates_html(certificates_list)
    toolkit = pdf._toolkit.get()

    def draw(text):
        return HTML(string=text, base_url=toolkit.base_url, url_fetcher=toolkit.fetcher).write_pdf(
            stylesheets=toolkit.stylesheets, font_config=toolkit.font_config
        )

    started = time.perf_counter(), time.process_time()
    if lone:
        for page in pages:
            draw(page)
    else:
        draw(html)
    return _since(started)


def _since(started) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) since ``started``."""
    return time.perf_counter() - started[0], time.process_time() - started[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-certs-") as tmp:
        workdir = Path(tmp)
        setup(args.database_url, workdir)
        from creditbank.documents import pdf, textlayer
        from skills.models import Certificate

        textlayer.install()
        pdf._toolkit.get()
        per_round = [args.count // args.rounds] * args.rounds
        per_round[-1] += args.count - sum(per_round)
        built = [build(n) for n in per_round]
        # Warm-up outside the timings: fonts, templates, the QR encoder, the signing key.
        run_ours(*build(3))

        totals = {key: [0.0, 0.0] for key in ("ours", "lone", "one", "one_nofix")}
        pages = 0
        combined_bytes = 0
        # Alternating rounds, so that the load other processes put on the machine hits every
        # path alike; CPU time (this process only) is the figure that load does not distort.
        for officer, session in built:
            elapsed, issued, document = run_ours(officer, session)
            pages += issued
            combined_bytes += document.file.size
            certs = list(
                Certificate.objects.filter(result__candidate__session=session)
                .select_related("standard")
                .order_by("sequence")
            )
            for key, value in (
                ("ours", elapsed),
                ("lone", run_raw(certs, lone=True)),
                ("one", run_raw(certs, lone=False)),
            ):
                totals[key][0] += value[0]
                totals[key][1] += value[1]
            with textlayer.disabled():
                value = run_raw(certs, lone=False)
            totals["one_nofix"][0] += value[0]
            totals["one_nofix"][1] += value[1]

        def line(label, key):
            wall, cpu = totals[key]
            return (
                f"{label}: CPU {cpu:.1f} s ({pages / cpu:.2f} pages/s, {cpu / pages * 1000:.0f} "
                f"ms/page); wall {wall:.1f} s ({pages / wall:.2f} pages/s)"
            )

        print(f"certificates: {pages} in {len(built)} alternating rounds; combined PDFs "
              f"{combined_bytes:,} B; one file per certificate")  # fmt: skip
        print(line("ours (issue + document job: layout, draw, files, combined, storage)", "ours"))
        print(line("raw WeasyPrint, the same pages in one PDF per round", "one"))
        print(line("raw WeasyPrint, each page its own PDF", "lone"))
        fix = totals["one"][1] / totals["one_nofix"][1] - 1
        print(f"Thai text-layer fix, on the one-PDF raw path: {fix * 100:+.0f} % CPU")
        ours_cpu, one_cpu, lone_cpu = totals["ours"][1], totals["one"][1], totals["lone"][1]
        print(f"ratio against lone PDFs (each page its own file): {lone_cpu / ours_cpu:.2f}")
        print(
            f"wall-clock ratio against the one-PDF raw: {totals['one'][0] / totals['ours'][0]:.2f}"
        )
        print(f"ratio={one_cpu / ours_cpu:.2f} per_cert_ms={ours_cpu / pages * 1000:.0f}")


if __name__ == "__main__":
    main()
