"""National-scale data in PostgreSQL for the benchmarks.

    .venv/bin/python bench/generate.py [--db creditbank_bench] [--institutions 30000] [--force]

Creates the database if needed, migrates it, and writes ~30,000 institutions over the 77
provinces with their hierarchy (provincial office, area offices with schools, vocational office
with colleges, NFE office with district centres), plus the users `bench-national` and
`bench-centre` (password `bench-pass-1234`). Running it again reuses the data unless --force.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PASSWORD = "bench-pass-1234"


def database_url(dbname: str) -> str:
    return f"{PG}/{dbname}"


def setup_django(dbname: str) -> None:
    os.environ["DATABASE_URL"] = database_url(dbname)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()


def _create_database(dbname: str, force: bool) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
        if exists and force:
            conn.execute(f'DROP DATABASE "{dbname}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{dbname}"')


def _generate(total: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from institutions import services
    from institutions.models import Institution, Membership, Province

    Kind = Institution.Kind
    services.provinces_load()
    provinces = list(Province.objects.order_by("code"))
    per_province = max(total // len(provinces), 30)
    next_id = (Institution.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    rows: list[Institution] = []

    def add(code, name, kind, affiliation, province, parent=None, district="", eo=False):
        nonlocal next_id
        pk = next_id
        next_id += 1
        path = (parent.tree_path if parent else "/") + f"{pk}/"
        inst = Institution(
            pk=pk,
            code=code,
            name_th=name,
            name_en=f"{code} (bench)",
            kind=kind,
            affiliation=affiliation,
            province=province,
            parent=parent,
            district=district,
            extended_opportunity=eo,
            tree_path=path,
        )
        rows.append(inst)
        return inst

    national = add(
        "BENCH-NAT", "สำนักงานเลขาธิการสภาการศึกษา (bench)", Kind.NATIONAL_OFFICE, "oec", None
    )
    centre_office = None
    for province in provinces:
        p = province.code
        peo = add(
            f"B{p}-PEO",
            f"สำนักงานศึกษาธิการจังหวัด{province.name_th}",
            Kind.PROVINCIAL_OFFICE,
            "moe",
            province,
        )
        centre_office = centre_office or peo
        areas = [
            add(
                f"B{p}-PESA{n}",
                f"สำนักงานเขตพื้นที่การศึกษาประถมศึกษา{province.name_th} เขต {n}",
                Kind.AREA_OFFICE_PRIMARY,
                "obec",
                province,
            )
            for n in (1, 2, 3)
        ]
        vec = add(
            f"B{p}-VEC",
            f"สำนักงานอาชีวศึกษาจังหวัด{province.name_th}",
            Kind.VOCATIONAL_OFFICE,
            "ovec",
            province,
        )
        for n in range(4):
            add(
                f"B{p}-COL{n}",
                f"วิทยาลัยเทคนิค{province.name_th} {n}",
                Kind.VOCATIONAL_COLLEGE,
                "ovec",
                province,
                vec,
            )
        nfe = add(
            f"B{p}-NFE",
            f"สำนักงานส่งเสริมการเรียนรู้ประจำจังหวัด{province.name_th}",
            Kind.NFE_OFFICE,
            "nfe",
            province,
        )
        for n in range(10):
            add(
                f"B{p}-NFE{n}",
                f"ศูนย์ส่งเสริมการเรียนรู้ระดับอำเภอ {n} {province.name_th}",
                Kind.NFE_CENTRE,
                "nfe",
                province,
                nfe,
                f"อำเภอ{n}",
            )
        remaining = per_province - 19
        for n in range(remaining):
            area = areas[n % 3]
            add(
                f"B{p}-S{n:04d}",
                f"โรงเรียนบ้านทดสอบ{n}{province.name_th}",
                Kind.SCHOOL,
                "obec",
                province,
                area,
                f"อำเภอ{n % 9}",
                eo=n % 7 == 0,
            )
    with transaction.atomic():
        Institution.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('institutions_institution', 'id'), %s)",
                [next_id],
            )
        User = get_user_model()
        for username, institution, role in [
            ("bench-national", national, Membership.Role.NATIONAL_ADMIN),
            ("bench-centre", centre_office, Membership.Role.CENTRE_STAFF),
        ]:
            user = User.objects.create_user(username=username, password=PASSWORD)
            Membership.objects.create(user=user, institution=institution, role=role)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def ensure_database(dbname: str = "creditbank_bench", *, institutions: int = 30000, force=False):
    """Create, migrate and fill the benchmark database unless it is already there."""
    _create_database(dbname, force)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(dbname),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
    }
    env.pop("CELERY_BROKER_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    setup_django(dbname)
    from institutions.models import Institution

    have = Institution.objects.count()
    if have >= institutions * 0.95:
        print(f"reusing {dbname}: {have} institutions")
        return
    started = time.perf_counter()
    _generate(institutions)
    print(
        f"generated {Institution.objects.count()} institutions in {dbname} "
        f"in {time.perf_counter() - started:.1f} s"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="creditbank_bench")
    parser.add_argument("--institutions", type=int, default=30000)
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    ensure_database(args.db, institutions=args.institutions, force=args.force)


if __name__ == "__main__":
    main()
