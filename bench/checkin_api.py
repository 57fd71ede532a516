"""The check-in API under gunicorn, with 16 scanners at once, against a bare JSON endpoint of the same app.

    python -m bench.checkin_api               # 3 repeats (what `make bench` runs)
    python -m bench.checkin_api --repeats 1 --seconds 5
    python -m bench.checkin_api profile       # SQL statements and cProfile of 200 check-ins, in this process

What runs. A fresh database (PostgreSQL at postgresql+psycopg://postgres@127.0.0.1:5432, a database
`eventapp_bench_<pid>` created, migrated with the migrations and dropped afterwards; SQLite in a temp
directory when PostgreSQL is unreachable) holds one event on the day of the door with PEOPLE confirmed
registrations and 16 paired devices at its reception. gunicorn serves bench/bare_app.py (the real app,
production settings, plus the baseline route) on 127.0.0.1 as a subprocess: `-k gthread -w 3 --threads 4`
by default. Why: this machine has 2 cores, and PostgreSQL runs on them too. A request is mostly Python
(CPU under the GIL) with waits for the database in between: one process per core plus one covers a
process blocked in a round trip while the others compute, and 4 threads in each overlap those waits
without adding GIL contention for nothing (12 requests in flight for 16 scanners; a keep-alive connection
waiting for its next scan holds no thread in gthread). The sync worker is ruled out for scanners: it
closes the connection after each answer, so every scan would pay a new TCP connection (and, behind the
TLS proxy of a real deployment, keep-alive is what a phone uses). gunicorn's rule of thumb (2×cores+1 = 5
sync workers) assumes the database is elsewhere; `--workers/--threads` try others (one short run each,
on 1 December 2026, the check-in closed loop: 3×4 57/s, 2×8 60/s, 5×2 55/s, 5×1 30/s: within the noise
of this machine except one thread a worker, which leaves the processes waiting on the database).

The scanners: 16 threads in this process, each with one keep-alive HTTP/1.1 connection (http.client)
and its own device token, sending what the scanner page sends: {"code", "nonce", "direction": "in",
"scanned_at"}. Each scanner has its own share of the people, so every answer is known in advance: 80 %
first admissions of someone it has not scanned yet (→ status ok), 15 % a person it admitted earlier
(→ already_checked_in, 受付済み), 5 % a code nobody has (→ invalid). A scanner that has admitted all of
its share sends repeats. Every answer must be a 200 with the JSON status and reason expected, else the
request counts as an error and the run is reported as failed: the bench never times errors. The
check-ins are deleted between runs, so each run starts with nobody inside.

The baseline: POST /bench/bare in the same gunicorn, same workers, same request (headers, body), which
answers `{"status": "ok"}` through every hook of the app (bench/bare_app.py): what a capable engineer
measures first, the framework's floor on this server. The ratio is the check-in's requests per second
over the bare endpoint's: how much of what this server answers is left once each request is a check-in.
Production settings (EVENTAPP_ENV=production) except two: rate limits are counted in each worker's
memory (production keeps them in Redis, not installed here, which would add a round trip to every
check-in), and the per-device CHECKIN_RATE_LIMIT is raised so that it counts but never refuses.

Three loads, each repeated (REPEATS, medians reported), check-in and bare alternating first:
(a) closed loop: each scanner sends its next scan as soon as it has the answer, for SECONDS after
    WARMUP seconds not counted: the most this server answers, with its p99 under that load (a queue).
    Target: check-in at least half the bare endpoint's requests per second.
(b) open loop: each scanner sends a scan every INTERVAL (250 ms: 64 scans a second for 16 scanners, on a
    schedule that does not wait for answers; latency counts from the scheduled moment, so a slow answer
    also delays the ones queued behind it). A real door's peak is about 400 people in 30 minutes (0.2 a
    second): this is 300 times that, and meant to stay below saturation, as a door never queues scans;
    when the check-in cannot keep up, the report says so (its latency is then a queue growing with the
    length of the run). Target: p99 under 25 ms.
(c) "gentle": the open loop at one scan a second per scanner (16 a second, still 70 times a door's peak),
    for the latency of a server that is not queueing; no target.
Latency is from sending the request (open loop: from when it was due) to having read the whole answer,
on the client's clock.

The scanners, the server and PostgreSQL share the same 2 cores (and other programs on this machine):
the table gives, per run, the cores used by the scanners (cli), gunicorn (srv), the PostgreSQL processes
of the bench's database (db) and everything else (other), and gunicorn's CPU per answer (srv/req),
which the machine's other load disturbs far less than wall-clock figures.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psutil

from bench.bare_app import BARE_PATH

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "checkin_api.json"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SLUG = "bench-door"

CLIENTS = 16
PEOPLE = 2000  # 125 a scanner, fresh in every run (the check-ins are deleted between runs)
SECONDS = 10.0
WARMUP = 2.0
OPEN_SECONDS = 20.0
INTERVAL = 0.25
GENTLE_INTERVAL = 1.0
LOADS = ("closed", "open", "gentle")
REPEATS = 3
WORKERS, THREADS = 3, 4
MIX = (("first", 0.80), ("repeat", 0.15), ("unknown", 0.05))
EXPECTED = {"first": ("ok", None), "repeat": ("error", "already_checked_in"), "unknown": ("error", "invalid"),
            "bare": ("ok", None)}

TARGET_RATIO = 0.5
TARGET_P99_MS = 25.0


# --- the database -----------------------------------------------------------------------------------------


@contextmanager
def database(tmp: Path) -> Iterator[str]:
    """A new PostgreSQL database when the server answers (dropped afterwards), else a SQLite file."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"eventapp_bench_{os.getpid()}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        admin.dispose()
        yield f"sqlite:///{tmp}/checkin.sqlite3"
        return
    try:
        yield POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Door:
    tokens: list[str]  # the people's QR codes, in registration order
    devices: list[str]  # bearer tokens


def seed(url: str, tmp: Path, people: int, clients: int, *, prints_badges: bool | None = None) -> Door:
    """Migrate, then one event today (in Tokyo) with `people` confirmed registrations and `clients` devices
    at its 受付 (which prints badges on arrival, unless `prints_badges` says otherwise)."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from eventapp import create_app
    from eventapp.checkin import services
    from eventapp.config import MIGRATIONS_DIR, TestConfig
    from eventapp.db import db, utcnow
    from eventapp.i18n import to_tokyo
    from eventapp.registration.models import Registration, RegistrationSource, RegistrationStatus
    from eventapp.registration.services import register
    from tests.helpers import answers, make_event

    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, JOBS_SQLITE_PATH=f"{tmp}/seed-jobs.sqlite3",
                  JOB_FILES_DIR=f"{tmp}/seed-job-files")
    app = create_app(config)
    now = utcnow()
    with app.app_context():
        with contextlib.redirect_stderr(io.StringIO()):  # Alembic's log lines
            upgrade(directory=str(MIGRATIONS_DIR))
        session = db.session
        event = make_event(session, slug=SLUG, capacity=people, now=now, event_date=to_tokyo(now).date(),
                           opens_in=timedelta(days=-60), closes_in=timedelta(hours=-1))
        for n in range(people):
            register(session, event, answers=answers(n), now=now, source=RegistrationSource.IMPORT, notify=False)
            if n % 500 == 499:
                session.commit()
        session.commit()
        tokens = list(session.scalars(select(Registration.token).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
            .order_by(Registration.id)))
        assert len(tokens) == people, f"{len(tokens)} of {people} registrations confirmed"
        if prints_badges is not None:
            services.default_point(session, event).prints_badges = prints_badges
        devices = []
        for n in range(clients):
            _, token = services.create_device(session, event, name=f"受付-{n + 1}", point=None,
                                              created_by="bench", now=now)
            devices.append(token)
        session.commit()
        db.session.remove()
        db.engine.dispose()
    return Door(tokens, devices)


def clear_checkins(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM checkin_entries"))
    engine.dispose()


# --- gunicorn -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(url: str, tmp: Path, workers: int, threads: int) -> Iterator[tuple[int, subprocess.Popen]]:
    """gunicorn serving bench.bare_app with production settings, until it answers; stopped afterwards."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "EVENTAPP_ENV": "production", "DATABASE_URL": url,
           "SECRET_KEY": secrets.token_hex(32), "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}/",
           # Limits counted in each worker's memory: production keeps them in Redis, which is not here (a round
           # trip to it would add to every check-in). The scanners' limit is raised so that it counts but never
           # refuses: 16 devices at full speed are the point here, not the limit of one.
           "RATELIMIT_SINGLE_PROCESS": "1", "CHECKIN_RATE_LIMIT": "1000000 per minute",
           "EVENTAPP_INSTANCE": str(tmp / "instance")}
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--worker-class", "gthread",
               "--workers", str(workers), "--threads", str(threads), "--log-level", "warning",
               "bench.bare_app:create_app()"]
    log = open(tmp / "gunicorn.log", "w")  # noqa: SIM115  # closed below, after the process
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {(tmp / 'gunicorn.log').read_text()[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", BARE_PATH)
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer within 60 s")
            time.sleep(0.2)
        time.sleep(1.0)  # every worker booted, not only the first to answer
        yield port, server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


# --- the scanners -------------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    sent: float  # perf_counter when it was due (open loop) or sent (closed loop)
    done: float


@dataclass
class Scanner:
    """One scanner: its connection, its device, its share of the people and what it scanned so far."""

    port: int
    path: str
    device: str
    people: list[str]
    rng: random.Random
    admitted: list[str] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    reconnects: int = 0

    def __post_init__(self) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.headers = {"Authorization": f"Bearer {self.device}", "Content-Type": "application/json",
                        "Accept-Language": "ja"}
        self.fresh = iter(self.people)

    def next_scan(self) -> tuple[str, str]:
        if self.path == BARE_PATH:
            return "bare", self.rng.choice(self.people)
        roll = self.rng.random()
        if roll < MIX[0][1] or not self.admitted:
            person = next(self.fresh, None)
            if person is not None:
                self.admitted.append(person)
                return "first", person
        if roll < MIX[0][1] + MIX[1][1] or not self.admitted:
            return "repeat", self.rng.choice(self.admitted) if self.admitted else self.people[0]
        return "unknown", secrets.token_urlsafe(24)

    def send(self, due: float | None = None) -> None:
        kind, code = self.next_scan()
        body = json.dumps({"code": code, "nonce": uuid.uuid4().hex, "direction": "in",
                           "scanned_at": datetime.now().astimezone().isoformat(timespec="milliseconds")})
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.conn.request("POST", self.path, body, self.headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed the idle connection; the nonce makes sending the scan again harmless.
                self.conn.close()
                self.reconnects += 1
                if attempt == 2:
                    raise
        done = time.perf_counter()
        self.samples.append(Sample(kind, due if due is not None else started, done))
        want = EXPECTED[kind]
        try:
            answer = json.loads(data)
            got = (answer.get("status"), answer.get("reason"))
        except ValueError:
            got = ("not JSON", data[:80].decode("utf-8", "replace"))
        if response.status != 200 or got != want:
            self.errors.append(f"{kind}: HTTP {response.status} {got}, expected {want}")
            if kind == "first":  # not let in after all: not a repeat later
                self.admitted.remove(code)

    def close(self) -> None:
        self.conn.close()


@dataclass
class Run:
    target: str  # "check-in" or "bare"
    load: str  # "closed" or "open"
    requests: int
    seconds: float
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    error_examples: list[str]
    kinds: dict[str, int]
    reconnects: int
    client_cpu: float  # CPU seconds of this process per second of the run (1.0 = one core)
    server_cpu: float  # the same for gunicorn and its workers
    database_cpu: float  # the same for the PostgreSQL processes serving the bench's database
    machine_busy: float  # cores busy on the whole machine (of psutil.cpu_count())
    server_cpu_ms: float  # gunicorn's CPU per answer


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def own_cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def tree_cpu(process: psutil.Process) -> float:
    total = 0.0
    for proc in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            times = proc.cpu_times()
            total += times.user + times.system
    return total


def database_backends(url: str) -> list[psutil.Process]:
    """The PostgreSQL server processes serving the bench's database (this machine's server, so their pids are
    ours to read), for the CPU they use; none for SQLite."""
    if not url.startswith("postgresql"):
        return []
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        pids = list(conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                      "AND pid <> pg_backend_pid()")))
    engine.dispose()
    backends = []
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            backends.append(psutil.Process(pid))
    return backends


def backends_cpu(backends: list[psutil.Process]) -> float:
    total = 0.0
    for backend in backends:
        with contextlib.suppress(psutil.Error):
            total += own_cpu(backend)
    return total


def run_load(port: int, server: subprocess.Popen, door: Door, url: str, *, target: str, load: str, seconds: float,
             warmup: float, interval: float, seed: int) -> Run:
    path = BARE_PATH if target == "bare" else f"/api/v1/events/{SLUG}/checkins"
    clients = len(door.devices)
    scanners = [Scanner(port, path, device, door.tokens[n::clients], random.Random(seed * 100 + n))
                for n, device in enumerate(door.devices)]
    for scanner in scanners:  # connect and warm each connection up before the clock starts
        scanner.conn.connect()
    start = time.perf_counter() + 0.2
    measure_from, stop = start + warmup, start + warmup + seconds

    def closed(scanner: Scanner) -> None:
        while time.perf_counter() < start:
            time.sleep(0.001)
        while time.perf_counter() < stop:
            scanner.send()

    def open_(scanner: Scanner, phase: float) -> None:
        due = start + phase
        while due < stop:
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            scanner.send(due)
            due += interval

    threads = [threading.Thread(target=closed, args=(s,)) if load == "closed"
               else threading.Thread(target=open_, args=(s, n * interval / clients)) for n, s in enumerate(scanners)]
    me, gunicorn_process = psutil.Process(), psutil.Process(server.pid)
    backends = database_backends(url)  # the pool's connections, open since earlier runs
    db_before = backends_cpu(backends)
    busy_before, mine_before, theirs_before = psutil.cpu_times(), own_cpu(me), tree_cpu(gunicorn_process)
    wall_before = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - wall_before
    busy_after, mine, theirs = psutil.cpu_times(), own_cpu(me) - mine_before, tree_cpu(gunicorn_process) - theirs_before
    database = backends_cpu(backends) - db_before
    for scanner in scanners:
        scanner.close()
    idle = (busy_after.idle + busy_after.iowait) - (busy_before.idle + busy_before.iowait)
    machine_busy = (sum(busy_after) - sum(busy_before) - idle) / wall

    counted = [s for scanner in scanners for s in scanner.samples if measure_from <= s.done <= stop]
    latencies = [(s.done - s.sent) * 1000 for s in counted if s.sent >= measure_from]
    errors = [e for scanner in scanners for e in scanner.errors]
    return Run(target=target, load=load, requests=len(counted), seconds=seconds, per_second=len(counted) / seconds,
               p50_ms=percentile(latencies, 50), p95_ms=percentile(latencies, 95), p99_ms=percentile(latencies, 99),
               max_ms=max(latencies, default=float("nan")), errors=len(errors),
               error_examples=[f"{n}× {e}" for e, n in Counter(errors).most_common(5)],
               kinds=dict(Counter(s.kind for s in counted)), reconnects=sum(s.reconnects for s in scanners),
               client_cpu=mine / wall, server_cpu=theirs / wall, database_cpu=database / wall, machine_busy=machine_busy,
               server_cpu_ms=theirs * 1000 / max(1, sum(len(s.samples) for s in scanners)))


# --- where the time goes ---------------------------------------------------------------------------------


def profile(url: str, tmp: Path, door: Door, count: int = 200) -> None:
    """`count` first admissions through Flask's test client in this process: the SQL statements each sends
    (by their first words) and the functions that take the time."""
    import cProfile
    import pstats

    from sqlalchemy import event

    from eventapp import create_app
    from eventapp.config import TestConfig
    from eventapp.db import db

    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, JOBS_SQLITE_PATH=f"{tmp}/jobs.sqlite3", JOB_FILES_DIR=f"{tmp}/job-files")
    app = create_app(config)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {door.devices[0]}"}
    statements: Counter[str] = Counter()

    def scan(code: str) -> None:
        body = {"code": code, "nonce": uuid.uuid4().hex, "direction": "in",
                "scanned_at": datetime.now().astimezone().isoformat()}
        response = client.post(f"/api/v1/events/{SLUG}/checkins", json=body, headers=headers)
        assert response.status_code == 200 and response.get_json()["status"] == "ok", response.get_data()

    for code in door.tokens[:20]:  # warm: compiled statements, prepared ones, translations
        scan(code)
    with app.app_context():
        engine = db.engine

    def count_statement(conn, cursor, statement, parameters, context, executemany) -> None:
        statements[" ".join(statement.split()[:3])[:60]] += 1

    event.listen(engine, "before_cursor_execute", count_statement)
    profiler = cProfile.Profile(time.process_time)  # CPU time: waits for the database are not counted
    started, cpu_started = time.perf_counter(), time.process_time()
    profiler.enable()
    for code in door.tokens[20:20 + count]:
        scan(code)
    profiler.disable()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    event.remove(engine, "before_cursor_execute", count_statement)
    print(f"{count} first admissions in this process, under cProfile: {elapsed / count * 1000:.1f} ms each, of which "
          f"{cpu / count * 1000:.1f} ms CPU; "
          f"{sum(statements.values()) / count:.1f} SQL statements each (plus BEGIN/COMMIT):")
    for statement, n in statements.most_common():
        print(f"  {n / count:>5.1f}  {statement}")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats("eventapp", 25)
    with app.app_context():
        db.engine.dispose()


# --- the report ---------------------------------------------------------------------------------------


def print_run(run: Run, repeat: int) -> None:
    mix = ", ".join(f"{k} {v}" for k, v in sorted(run.kinds.items()))
    print(f"  {repeat:>2}  {run.load:<6} {run.target:<8} {run.per_second:>8.1f} {run.p50_ms:>7.1f} {run.p95_ms:>7.1f}"
          f" {run.p99_ms:>7.1f} {run.max_ms:>7.1f}  {run.client_cpu:>4.2f} {run.server_cpu:>4.2f}"
          f" {run.database_cpu:>4.2f} {run.machine_busy - run.client_cpu - run.server_cpu - run.database_cpu:>5.2f}"
          f" {run.server_cpu_ms:>6.1f}  {run.errors:>3}  {mix}", flush=True)
    for example in run.error_examples:
        print(f"        error: {example}")


def median_of(runs: list[Run], target: str, load: str, attribute: str) -> float:
    return statistics.median(getattr(r, attribute) for r in runs if r.target == target and r.load == load)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.checkin_api", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", nargs="?", choices=["compare", "profile"], default="compare")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--seconds", type=float, default=SECONDS, help="closed loop, counted (after --warmup)")
    parser.add_argument("--warmup", type=float, default=WARMUP)
    parser.add_argument("--open-seconds", type=float, default=OPEN_SECONDS, help="open loop, counted")
    parser.add_argument("--interval", type=float, default=INTERVAL, help="open loop: seconds between a scanner's scans")
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--sqlite", action="store_true", help="SQLite even if PostgreSQL answers")
    parser.add_argument("--output", type=Path, default=RESULTS)
    options = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped: still stop gunicorn, drop the database

    tmp = Path(tempfile.mkdtemp(prefix="eventapp-bench-checkin-"))
    try:
        with contextlib.ExitStack() as stack:
            url = f"sqlite:///{tmp}/checkin.sqlite3" if options.sqlite else stack.enter_context(database(tmp))
            backend = url.split(":", 1)[0].split("+", 1)[0]
            started = time.monotonic()
            door = seed(url, tmp, options.people, CLIENTS)
            seeded = time.monotonic() - started
            if options.mode == "profile":
                profile(url, tmp, door)
                return
            print(f"Check-in API: gunicorn gthread {options.workers} workers × {options.threads} threads, {backend}, "
                  f"{options.people:,} people (seeded in {seeded:.0f} s), {CLIENTS} scanners with keep-alive; "
                  f"closed loop {options.seconds:g} s, open loop {options.open_seconds:g} s at one scan per "
                  f"{options.interval * 1000:g} ms per scanner (gentle: {GENTLE_INTERVAL * 1000:g} ms); "
                  f"{os.cpu_count()} cores")
            print(f"  {'#':>2}  {'load':<6} {'target':<8} {'req/s':>8} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}"
                  f"  {'cli':>4} {'srv':>4} {'db':>4} {'other':>5} {'srv/req':>6}  {'err':>3}  mix")
            print("      (latency in ms; cli, srv, db, other: cores busy in the scanners, gunicorn, the database's "
                  "server processes, all other programs; srv/req: gunicorn's CPU ms per answer)")
            port, server = stack.enter_context(gunicorn(url, tmp, options.workers, options.threads))
            for target in ("check-in", "bare"):  # not counted: opens the pools' connections, warms the workers
                run_load(port, server, door, url, target=target, load="closed", seconds=1, warmup=1, interval=0, seed=0)
            runs: list[Run] = []
            for repeat in range(1, options.repeats + 1):
                order = ["check-in", "bare"] if repeat % 2 else ["bare", "check-in"]
                for load in LOADS:
                    for target in order:
                        if target == "check-in":
                            clear_checkins(url)
                        run = run_load(port, server, door, url, target=target, load=load,
                                       seconds=options.seconds if load == "closed" else options.open_seconds,
                                       warmup=options.warmup, seed=repeat,
                                       interval=GENTLE_INTERVAL if load == "gentle" else options.interval)
                        print_run(run, repeat)
                        runs.append(run)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    ours, bare = median_of(runs, "check-in", "closed", "per_second"), median_of(runs, "bare", "closed", "per_second")
    ratio = ours / bare if bare else float("nan")
    open_p99 = median_of(runs, "check-in", "open", "p99_ms")
    errors = sum(r.errors for r in runs)
    medians = {f"{load} {target}": {a: round(median_of(runs, target, load, a), 2)
                                    for a in ("per_second", "p50_ms", "p95_ms", "p99_ms")}
               for load in LOADS for target in ("check-in", "bare")}
    print(f"Medians of {options.repeats}:")
    for name, values in medians.items():
        print(f"  {name:<17} {values['per_second']:>8.1f} req/s  p50 {values['p50_ms']:>6.1f}  "
              f"p95 {values['p95_ms']:>6.1f}  p99 {values['p99_ms']:>6.1f} ms")
    print(f"  throughput ratio check-in / bare: {ratio:.2f} (target ≥ {TARGET_RATIO}) "
          f"{'met' if ratio >= TARGET_RATIO else 'NOT MET'}")
    cpu_ours, cpu_bare = (median_of(runs, t, "closed", "server_cpu_ms") for t in ("check-in", "bare"))
    print(f"  gunicorn's CPU per answer (closed loop): check-in {cpu_ours:.1f} ms, bare {cpu_bare:.1f} ms: "
          f"{cpu_bare / cpu_ours:.2f}, the ratio the throughput would have if CPU were all it took")
    print(f"  open-loop check-in p99: {open_p99:.1f} ms (target < {TARGET_P99_MS:g} ms) "
          f"{'met' if open_p99 < TARGET_P99_MS else 'NOT MET'}")
    offered = CLIENTS / options.interval
    kept_up = median_of(runs, "check-in", "open", "per_second") >= 0.95 * offered
    if not kept_up:
        print(f"  the check-in did not keep up with the open loop's {offered:g} scans a second: its latency is "
              f"a growing queue, longer the longer the run")
    if errors:
        print(f"  {errors} answers were not what the scan should get: these figures are not valid")
    summary: dict[str, Any] = {
        "machine": platform.platform(), "cores": os.cpu_count(), "backend": backend,
        "gunicorn": {"worker_class": "gthread", "workers": options.workers, "threads": options.threads},
        "clients": CLIENTS, "people": options.people, "mix": dict(MIX), "closed_seconds": options.seconds,
        "warmup_seconds": options.warmup, "open_seconds": options.open_seconds, "open_interval": options.interval,
        "targets": {"ratio": TARGET_RATIO, "open_p99_ms": TARGET_P99_MS},
        "ratio": round(ratio, 3),
        "server_cpu_ms_per_answer": {"check-in": round(cpu_ours, 2), "bare": round(cpu_bare, 2)}, "open_p99_ms": round(open_p99, 2), "open_kept_up": kept_up, "medians": medians,
        "within_targets": ratio >= TARGET_RATIO and open_p99 < TARGET_P99_MS and not errors, "errors": errors,
        "runs": [asdict(r) for r in runs],
    }
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    print(f"Written to {options.output}")


if __name__ == "__main__":
    main(sys.argv[1:])
