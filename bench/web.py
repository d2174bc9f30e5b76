"""Web benchmark: the signed-in institutions list at national scale vs a bare Django view.

    .venv/bin/python bench/web.py [--seconds 6] [--rounds 3] [--clients 4]

Serves the app with gunicorn (2 sync workers, persistent DB connections) on 127.0.0.1 against
the PostgreSQL database from bench/generate.py, and loads both endpoints with the same bounded
keep-alive client in alternating rounds, so machine noise hits both. The last line is
``ratio=<list rps / baseline rps>``. Target: ratio >= 0.5.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import PASSWORD, database_url, ensure_database  # noqa: E402

LIST_PATH = "/institutions/"
BASELINE_PATH = "/bench/baseline/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, dbname: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url(dbname),
        "CONN_MAX_AGE": "600",
    }
    env.pop("CELERY_BROKER_URL", None)
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "creditbank.wsgi:application",
            "--workers", "2",
            "--worker-class", "sync",
            "--bind", f"127.0.0.1:{port}",
            "--log-level", "warning",
        ],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def sign_in(port: int, username: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    body = response.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    conn.request(
        "POST", "/accounts/login/", body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )  # fmt: skip
    response = conn.getresponse()
    response.read()
    cookies = response.getheader("Set-Cookie", "")
    session = re.search(r"sessionid=([^;]+)", cookies)
    if response.status != 302 or not session:
        raise SystemExit(f"sign-in failed: {response.status}")
    return f"sessionid={session.group(1)}; csrftoken={csrf_cookie}"


def load(port: int, path: str, cookie: str, seconds: float, clients: int) -> float:
    """Requests per second over ``seconds`` from ``clients`` keep-alive connections."""
    counts = [0] * clients
    errors = []
    stop_at = time.perf_counter() + seconds

    def worker(index: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop_at:
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
                return
            counts[index] += 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"{path} answered {errors[0]}")
    return sum(counts) / (time.perf_counter() - started)


def count_queries(dbname: str, username: str) -> dict[str, int]:
    """Queries per request of each endpoint, measured in-process with the test client."""
    os.environ["DATABASE_URL"] = database_url(dbname)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=username))
    result = {}
    for path in (LIST_PATH, BASELINE_PATH):
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        result[path] = len(captured)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="creditbank_bench")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--user", default="bench-national")
    args = parser.parse_args()

    ensure_database(args.db)
    queries = count_queries(args.db, args.user)
    port = free_port()
    server = start_gunicorn(port, args.db)
    try:
        cookie = sign_in(port, args.user)
        for path in (LIST_PATH, BASELINE_PATH):  # warm up both workers and caches
            load(port, path, cookie, 1.5, args.clients)
        ours, baseline = [], []
        for _ in range(args.rounds):
            ours.append(load(port, LIST_PATH, cookie, args.seconds, args.clients))
            baseline.append(load(port, BASELINE_PATH, cookie, args.seconds, args.clients))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    ours_rps, base_rps = statistics.median(ours), statistics.median(baseline)
    print(f"machine: {os.cpu_count()} cores; user {args.user}; {args.clients} clients")
    print(f"institutions list {LIST_PATH}: {ours_rps:.1f} req/s ({queries[LIST_PATH]} queries)")
    print(f"bare baseline {BASELINE_PATH}: {base_rps:.1f} req/s ({queries[BASELINE_PATH]} queries)")
    print(f"ratio={ours_rps / base_rps:.2f}")


if __name__ == "__main__":
    main()
