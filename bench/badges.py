"""Badge sheets: our chunked, parallel renderer against the lean one-pass render a capable engineer writes
first (bench/naive_badges.py: one document of simple markup, one WeasyPrint write_pdf), in one run.

    python -m bench.badges                  # the comparison (what `make bench` runs)
    python -m bench.badges profile          # cProfile of one chunk of 100 badges, in this process

1,000 badges on card-a4-2x5, NAIVE (bench/naive_badges.py) and OURS (write_badge_sheets) alternately,
3 times each, then 10,000 with OURS once. Every measurement runs in a fresh Python process; its time is
measured inside that process from the people's data to the finished PDF (building the BadgeViews, QR
codes, the render, for OURS also starting the worker pool and joining the chunks), and its peak memory
from outside: the resident memory of the whole process tree (the process, the forkserver, the render
workers it forks, the resource tracker) sampled every 50 ms. RSS counts pages that forked processes share
once per process; PSS, which splits shared pages between them, is given next to it.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import math
import os
import platform
import pstats
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "badges.json"
SAMPLE_SECONDS = 0.05
NOISY_CPUS = 0.25  # other programs busier than this during a run: its time is flagged as disturbed
MB = 1024 * 1024

TARGET_SECONDS = 5.0  # 1,000 badges
TARGET_RATIO = 2.0  # at least this many times faster than naive
TARGET_MEMORY_MB = 500  # peak of the whole process tree
TARGET_GROWTH = 1.25  # 10,000 badges may use at most this much more memory than 1,000

FAMILIES = [("髙橋", "タカハシ", "TAKAHASHI"), ("山﨑", "ヤマザキ", "YAMAZAKI"), ("髙﨑", "タカサキ", "TAKASAKI"),
            ("佐藤", "サトウ", "SATO"), ("鈴木", "スズキ", "SUZUKI"), ("渡邉", "ワタナベ", "WATANABE"),
            ("齋藤", "サイトウ", "SAITO"), ("伊藤", "イトウ", "ITO"), ("中村", "ナカムラ", "NAKAMURA"),
            ("小林", "コバヤシ", "KOBAYASHI"), ("加藤", "カトウ", "KATO"), ("吉田", "ヨシダ", "YOSHIDA"),
            ("山田", "ヤマダ", "YAMADA"), ("佐々木", "ササキ", "SASAKI"), ("長谷川", "ハセガワ", "HASEGAWA"),
            ("勅使河原", "テシガハラ", "TESHIGAHARA")]
GIVEN = [("一郎", "イチロウ", "Ichiro"), ("花子", "ハナコ", "Hanako"), ("健太", "ケンタ", "Kenta"),
         ("美咲", "ミサキ", "Misaki"), ("翔", "ショウ", "Sho"), ("恵子", "ケイコ", "Keiko"),
         ("拓也", "タクヤ", "Takuya"), ("由美子", "ユミコ", "Yumiko"), ("慎之介", "シンノスケ", "Shinnosuke")]
COMPANIES = ["株式会社髙橋製作所", "山﨑精機株式会社", "有限会社髙﨑工務店", "東京精密加工株式会社", "",
             "株式会社ミナトテクノロジーソリューションズ", "合同会社おおた町工場ネットワーク", "Tokyo Precision Co., Ltd.",
             "一般社団法人東京都異業種交流推進協議会", "江東区ものづくり研究所"]
GROUPS = ["", "城南異業種交流会", "髙﨑ものづくり会", "墨田区異業種交流グループ", "多摩テクノフォーラム", "江戸川21の会"]
ROLES = ["member", "member", "member", "exhibitor", "exhibitor", "speaker", "general", "general", "guest", "press"]
FOOTER = "第31回 東京都異業種交流グループ合同交流会"
TOKEN_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def card_a4_2x5():
    """The default preset of the migration (ca398d36c823), as data: no database needed."""
    from eventapp.badges.layouts import LayoutSpec

    return LayoutSpec(name="card-a4-2x5", design="card", page_width_mm=210, page_height_mm=297, label_width_mm=91,
                      label_height_mm=55, columns=2, rows=5, margin_left_mm=14, margin_top_mm=11, pitch_x_mm=91,
                      pitch_y_mm=55)


def people(count: int, seed: int = 31) -> list[dict]:
    """What badge_for() reads from registrations, for `count` made-up people (the same every run)."""
    rng = random.Random(seed)
    result = []
    for n in range(count):
        family, family_kana, family_romaji = rng.choice(FAMILIES)
        given, given_kana, given_romaji = rng.choice(GIVEN)
        result.append(dict(
            registration_id=n + 1, serial=n + 1, role=rng.choice(ROLES), group=rng.choice(GROUPS),
            company=rng.choice(COMPANIES), kana=f"{family_kana} {given_kana}", name=f"{family} {given}",
            romaji=f"{family_romaji} {given_romaji}", footer=FOOTER,
            token="".join(rng.choice(TOKEN_ALPHABET) for _ in range(32))))
    return result


# --- one measurement, in its own process --------------------------------------------------------------


IMPLS = {
    "naive": "naive: one lean document, one write_pdf",
    "ours": "ours: write_badge_sheets",
    "ours-warm": "ours, worker pool already running",
}


def child(impl: str, count: int, out_dir: str) -> None:
    """Runs in the fresh subprocess: render `count` badges with `impl`, print the figures as JSON.

    naive and ours start from nothing but imported modules: ours pays for starting its worker pool
    (forkserver, importing WeasyPrint there, loading fonts and stylesheets in each worker). ours-warm
    starts those first, untimed, as a long-running job worker that has printed before would have them."""
    from bench.naive_badges import write_naive_sheets
    from eventapp.badges import rendering
    from eventapp.badges.design import build_badge

    spec = card_a4_2x5()
    data = people(count)
    out = Path(out_dir) / f"{impl}.pdf"
    workers = rendering._worker_count() if impl != "naive" else 1
    if impl == "ours-warm":  # the worker processes and this one have rendered before
        pool = rendering._process_pool(max(1, workers - 1))
        one = [build_badge(**data[0], design=spec.design)]
        for future in [pool.submit(rendering.render_sheet_pdf, one, spec) for _ in range(2 * workers)]:
            future.result()
        rendering.render_sheet_pdf(one, spec)
    started = time.perf_counter()
    badges = [build_badge(**person, design=spec.design) for person in data]
    built = time.perf_counter()
    if impl == "naive":
        pages = write_naive_sheets(badges, spec, out)
    else:
        pages = rendering.write_badge_sheets(badges, spec, out)
    finished = time.perf_counter()
    rendering.shutdown_pool()
    print(json.dumps({"seconds": finished - started, "build_seconds": built - started, "pages": pages,
                      "bytes": out.stat().st_size, "workers": workers}))


class TreeSampler:
    """Peak memory of a process and all its descendants: RSS every sample (cheap, /proc/<pid>/statm),
    PSS every PSS_EVERY samples (reading smaps costs a few ms per process, which would slow the run)."""

    PSS_EVERY = 5

    def __init__(self, pid: int) -> None:
        import psutil

        self.root = psutil.Process(pid)
        self.roles: dict[int, str] = {}
        self.samples = 0
        self.peak_rss = self.peak_pss = self.most_processes = 0
        self.peak_by_role: dict[str, int] = {}
        self.cpu_by_pid: dict[int, float] = {}  # user + system seconds, as last seen

    def _role(self, process) -> str:
        """Workers are forked from the forkserver, so they share its command line: tell them by parent."""
        if process.pid not in self.roles:
            if process.pid == self.root.pid:
                role = "main"
            elif process.ppid() != self.root.pid:
                role = "render workers"
            elif "resource_tracker" in " ".join(process.cmdline()):
                role = "resource tracker"
            else:
                role = "forkserver"
            self.roles[process.pid] = role
        return self.roles[process.pid]

    def sample(self) -> None:
        import psutil

        processes = [self.root]
        with contextlib.suppress(psutil.Error):
            processes += self.root.children(recursive=True)  # forkserver, its forked workers, resource tracker
        with_pss = self.samples % self.PSS_EVERY == 0
        self.samples += 1
        rss = pss = counted = 0
        by_role: dict[str, int] = {}
        for process in processes:
            try:
                role = self._role(process)
                info = process.memory_full_info() if with_pss else process.memory_info()
            except psutil.Error:
                continue
            with contextlib.suppress(psutil.Error):
                cpu = process.cpu_times()
                self.cpu_by_pid[process.pid] = cpu.user + cpu.system
            counted += 1
            rss += info.rss
            pss += getattr(info, "pss", 0)
            by_role[role] = by_role.get(role, 0) + info.rss
        self.peak_rss = max(self.peak_rss, rss)
        if with_pss:
            self.peak_pss = max(self.peak_pss, pss)
        self.most_processes = max(self.most_processes, counted)
        for role, value in by_role.items():
            self.peak_by_role[role] = max(self.peak_by_role.get(role, 0), value)


def _check_first_page(pdf: Path, tokens: list[str]) -> None:
    """The output is real: the first sheet's QR codes decode to the first people's tokens, in order."""
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=150 / 72).to_pil()
    finally:
        document.close()
    codes = sorted(zxingcpp.read_barcodes(image),
                   key=lambda c: (round(c.position.top_left.y / 100), c.position.top_left.x))
    found = [c.text for c in codes]
    if found != tokens:
        raise SystemExit(f"{pdf.name}: first page QR codes {found} are not the first people's {tokens}")


def _busy_seconds() -> float:
    """CPU time the whole machine has spent busy so far, over all CPUs."""
    import psutil

    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def _own_cpu_seconds() -> float:
    """This process (the sampling) so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def measure(impl: str, count: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-badges-") as work:
        busy_before, own_before = _busy_seconds(), _own_cpu_seconds()
        began = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "bench.badges", "child", impl, str(count), work],
                                   cwd=ROOT, stdout=subprocess.PIPE, text=True)
        sampler = TreeSampler(process.pid)
        while process.poll() is None:
            sampler.sample()
            time.sleep(SAMPLE_SECONDS)
        wall = time.perf_counter() - began
        busy = _busy_seconds() - busy_before
        own_cpu = sum(sampler.cpu_by_pid.values())  # the measured process tree, as last sampled
        others = max(0.0, busy - own_cpu - (_own_cpu_seconds() - own_before)) / wall  # other programs' CPUs
        output = process.stdout.read()
        process.stdout.close()
        if process.returncode != 0:
            raise SystemExit(f"{impl} with {count} badges failed (exit {process.returncode})")
        figures = json.loads(output.strip().splitlines()[-1])
        if figures["pages"] != math.ceil(count / 10):
            raise SystemExit(f"{impl}: {figures['pages']} pages for {count} badges")
        _check_first_page(Path(work) / f"{impl}.pdf", [p["token"] for p in people(min(count, 10))])
    return {**figures, "impl": impl, "count": count, "process_seconds": wall, "peak_rss_mb": sampler.peak_rss / MB,
            "peak_pss_mb": sampler.peak_pss / MB, "processes": sampler.most_processes, "cpu_seconds": own_cpu,
            "other_programs_cpus": others,
            "peak_rss_by_role_mb": {role: value / MB for role, value in sampler.peak_by_role.items()}}


# --- the comparison ---------------------------------------------------------------------------------


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def _report(run: dict) -> None:
    noise = f"  ← other programs used {run['other_programs_cpus']:.1f} CPUs meanwhile" \
        if run["other_programs_cpus"] > NOISY_CPUS else ""
    print(f" {run['seconds']:6.2f} s, peak {run['peak_rss_mb']:5.0f} MB RSS{noise}", flush=True)


def compare(count: int, repeat: int, big: int) -> dict:
    runs: dict[str, list[dict]] = {impl: [] for impl in IMPLS}
    for round_ in range(repeat):  # alternate, so a noisy neighbour hurts each alike
        for impl in IMPLS:
            print(f"  {impl:9} {count:>6,} badges, run {round_ + 1}/{repeat} …", end="", flush=True)
            run = measure(impl, count)
            runs[impl].append(run)
            _report(run)
    print(f"  {'ours':9} {big:>6,} badges, once …", end="", flush=True)
    large = measure("ours", big)
    _report(large)

    summary = {impl: {key: _median(impl_runs, key) for key in
                      ("seconds", "build_seconds", "process_seconds", "peak_rss_mb", "peak_pss_mb")}
               for impl, impl_runs in runs.items()}
    ours, naive = summary["ours"], summary["naive"]
    ratio = naive["seconds"] / ours["seconds"]
    growth = large["peak_rss_mb"] / ours["peak_rss_mb"]
    targets = [
        {"target": f"{count:,} badges in under {TARGET_SECONDS:g} s (median, cold start)",
         "value": f"{ours['seconds']:.2f} s", "met": ours["seconds"] < TARGET_SECONDS},
        {"target": f"at least {TARGET_RATIO:g}× faster than naive (medians)", "value": f"{ratio:.2f}×",
         "met": ratio >= TARGET_RATIO},
        *({"target": f"{n:,} badges: peak memory under {TARGET_MEMORY_MB} MB (RSS summed over the process tree)",
           "value": f"{mb:.1f} MB (PSS {pss:.1f} MB)", "met": mb < TARGET_MEMORY_MB}
          for n, mb, pss in ((count, ours["peak_rss_mb"], ours["peak_pss_mb"]),
                             (big, large["peak_rss_mb"], large["peak_pss_mb"]))),
        {"target": f"{big:,} badges need about the memory of {count:,} (at most {TARGET_GROWTH:g}×)",
         "value": f"{growth:.2f}×", "met": growth <= TARGET_GROWTH},
    ]
    return {
        "benchmark": "badges", "layout": "card-a4-2x5", "count": count, "repeat": repeat, "big_count": big,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "render_workers": runs["ours"][0]["workers"]},
        "implementations": IMPLS, "runs": runs, "big": large, "median": summary,
        "ratio_naive_over_ours": ratio, "ratio_naive_over_ours_warm": naive["seconds"] / summary["ours-warm"]["seconds"],
        "memory_growth_big_over_count": growth, "targets": targets,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def print_table(result: dict) -> None:
    count, big, repeat = result["count"], result["big_count"], result["repeat"]
    median, machine = result["median"], result["machine"]
    print()
    print(f"Badges on {result['layout']}: {machine['cpus']} CPUs, {machine['render_workers']} render workers, "
          f"Python {machine['python']}. Seconds from the people's data to the finished PDF.")
    runs_header = "".join(f"{f'run {n + 1}':>8}" for n in range(repeat))
    header = (f"{'':44}{runs_header}{'median':>9}{'per badge':>11}{'peak RSS':>10}{'peak PSS':>10}"
              f"{'procs':>7}{'others':>8}")
    print(header)
    print("-" * len(header))

    def row(label: str, runs: list[dict], n: int) -> None:
        times = "".join(f"{run['seconds']:>8.2f}" for run in runs) + " " * 8 * (repeat - len(runs))
        seconds = statistics.median(run["seconds"] for run in runs)
        rss = statistics.median(run["peak_rss_mb"] for run in runs)
        pss = statistics.median(run["peak_pss_mb"] for run in runs)
        others = max(run["other_programs_cpus"] for run in runs)
        print(f"{label:44}{times}{seconds:>8.2f}s{seconds / n * 1000:>9.1f}ms{rss:>8.0f}MB{pss:>8.0f}MB"
              f"{max(run['processes'] for run in runs):>7}{others:>8.1f}")

    for impl, label in result["implementations"].items():
        row(f"{label}, {count:,}", result["runs"][impl], count)
    row(f"{result['implementations']['ours']}, {big:,}", [result["big"]], big)
    print("-" * len(header))
    print("procs: processes in the tree at most; others: CPUs other programs kept busy meanwhile (worst run),"
          f" {result['machine']['cpus']} in all")
    print(f"naive ÷ ours: {result['ratio_naive_over_ours']:.2f}× (pool already running: "
          f"{result['ratio_naive_over_ours_warm']:.2f}×); building the BadgeViews takes "
          f"{median['ours']['build_seconds']:.2f} s of ours")
    print("whole subprocess incl. interpreter start and imports (medians): "
          + ", ".join(f"{impl} {median[impl]['process_seconds']:.2f} s" for impl in result["implementations"]))

    def roles(run: dict) -> str:
        return ", ".join(f"{role} {mb:.0f}" for role, mb in sorted(run["peak_rss_by_role_mb"].items()))

    print(f"peak RSS by process (MB), ours {count:,}: {roles(result['runs']['ours'][0])}")
    print(f"peak RSS by process (MB), ours {big:,}: {roles(result['big'])}")
    print()
    print("Targets")
    for target in result["targets"]:
        print(f"  {'met   ' if target['met'] else 'MISSED'}  {target['target']}: {target['value']}")
    print()
    print(f"Figures as JSON: {RESULTS.relative_to(ROOT)}")


# --- where the time goes ----------------------------------------------------------------------------

PHASES = [  # (label, file suffix, function): cumulative time of each
    ("build_badge: fit the texts, draw the QR codes", "badges/design.py", "build_badge"),
    ("  of which the QR PNGs", "eventapp/qr.py", "qr_data_uri"),
    ("  of which fitting the texts", "printing/text_fit.py", "fit_text"),
    ("render_pdf", "printing/render.py", "render_pdf"),
    ("  Jinja: the HTML text", "printing/render.py", "render_html"),
    ("  WeasyPrint: parse the HTML", "weasyprint/__init__.py", "__init__"),
    ("  WeasyPrint: cascade, computed styles", "weasyprint/css/__init__.py", "get_all_computed_styles"),
    ("  WeasyPrint: box tree", "formatting_structure/build.py", "build_formatting_structure"),
    ("  WeasyPrint: layout", "weasyprint/layout/__init__.py", "layout_document"),
    ("    of which lines of text (Pango)", "weasyprint/layout/inline.py", "iter_line_boxes"),
    ("  WeasyPrint: draw and write the PDF", "weasyprint/document.py", "write_pdf"),
    ("    of which images", "weasyprint/pdf/stream.py", "add_image"),
    ("    of which fonts (subsetting)", "weasyprint/pdf/fonts.py", "build_fonts_dictionary"),
]


def profile(count: int = 100, top: int = 25) -> None:
    """cProfile of building and rendering one chunk (CHUNK_PAGES pages of badges) in this process,
    after a warm-up render, as in a worker that has rendered before."""
    from eventapp.badges.design import build_badge
    from eventapp.badges.rendering import render_sheet_pdf

    spec = card_a4_2x5()
    data = people(count)
    render_sheet_pdf([build_badge(**data[0], design="card")], spec)  # fonts and stylesheets load once
    started = time.perf_counter()
    render_sheet_pdf([build_badge(**person, design=spec.design) for person in data], spec)
    plain = time.perf_counter() - started
    profiler = cProfile.Profile()
    profiler.enable()
    pdf = render_sheet_pdf([build_badge(**person, design=spec.design) for person in data], spec)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = max(stat[3] for stat in stats.stats.values())
    print(f"One chunk: {count} badges, {math.ceil(count / spec.per_page)} pages, {len(pdf):,} bytes: "
          f"{plain:.2f} s without the profiler, {total:.2f} s with it\n")
    print("Where the time goes (cumulative, with the profiler):")
    for label, suffix, function in PHASES:
        seconds = max((stat[3] for (file, _, name), stat in stats.stats.items()
                       if name == function and file.endswith(suffix)), default=0.0)
        print(f"  {label:48} {seconds:6.2f} s {seconds / total * 100:5.1f} %")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    print("\nTop functions by own time:")
    print("\n".join(line.replace(str(ROOT / ".venv"), "") for line in out.getvalue().splitlines()[6:]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.badges", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", nargs="?", default="compare", choices=["compare", "profile", "child"])
    parser.add_argument("args", nargs="*")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--big", type=int, default=10_000)
    options = parser.parse_args(argv)
    if options.mode == "child":
        impl, count, out_dir = options.args
        child(impl, int(count), out_dir)
        return
    if options.mode == "profile":
        profile(int(options.args[0]) if options.args else 100)
        return
    print(f"Badge sheets: naive one-pass render against ours, {options.count:,} badges × {options.repeat}, "
          f"then {options.big:,} with ours (each in a fresh process)")
    result = compare(options.count, options.repeat, options.big)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print_table(result)


if __name__ == "__main__":
    main()
