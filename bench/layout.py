"""In-process cost of the shared layout: "My credits" vs the bare baseline, no HTTP server.

    .venv/bin/python bench/layout.py [--db cb_ledger_perf] [--requests 500] [--profile]

Uses a database made by bench/ledger.py (its ``bench-learner``), the bench settings and the
Django test client; alternates the two endpoints and prints milliseconds per request of each.
``--profile`` prints a cProfile of 200 My credits requests instead.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import setup_django  # noqa: E402
from bench.ledger import PAGE_PATH, PAGE_USER  # noqa: E402
from bench.web import BASELINE_PATH  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="creditbank_bench_ledger")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    setup_django(args.db)
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=PAGE_USER))
    paths = (PAGE_PATH, BASELINE_PATH)
    for path in paths:  # warm caches, connections and compiled templates
        for _ in range(20):
            assert client.get(path).status_code == 200, path
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(200):
            client.get(PAGE_PATH)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(50)
        return
    spent = dict.fromkeys(paths, 0.0)
    for _ in range(args.requests):
        for path in paths:
            started = time.perf_counter()
            client.get(path)
            spent[path] += time.perf_counter() - started
    page, base = (spent[path] / args.requests * 1000 for path in paths)
    print(f"my credits {page:.2f} ms, baseline {base:.2f} ms per request (in-process)")
    print(f"ratio={base / page:.2f}")


if __name__ == "__main__":
    main()
