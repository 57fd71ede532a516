"""Joining chunk PDFs: peak memory and time of join_pdfs() for a large badge batch (not part of `make bench`).

    python -m bench.pdf_join                 # 2,000 badges: 20 chunks of 100 badges (10 pages each)
    python -m bench.pdf_join --count 10000   # 100 chunks

The chunk files are rendered once (by render_sheet_pdf, as a batch renders them) into
bench/results/join-parts-<count>/ and reused. Each measurement then runs join_pdfs() in a fresh Python
process that has imported eventapp.printing.pdf_join: its resident memory before the join, its peak
(VmHWM) after it, the growth between them, and the time of the join alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PER_CHUNK = 100  # badges per chunk file: CHUNK_PAGES (10) pages of card-a4-2x5 (10 a page)


def _status_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (the peak) of this process. Not ru_maxrss: Linux carries that over
    exec from the forked parent, whose memory would count."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def parts_for(count: int) -> list[Path]:
    from bench.badges import card_a4_2x5, people
    from eventapp.badges.design import build_badge
    from eventapp.badges.rendering import render_sheet_pdf

    folder = RESULTS / f"join-parts-{count}"
    paths = [folder / f"part-{n:05d}.pdf" for n in range(-(-count // PER_CHUNK))]
    if all(path.exists() for path in paths):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    spec = card_a4_2x5()
    data = people(count)
    for n, path in enumerate(paths):
        chunk = data[n * PER_CHUNK:(n + 1) * PER_CHUNK]
        path.write_bytes(render_sheet_pdf([build_badge(**person, design=spec.design) for person in chunk], spec))
        print(f"  rendered {path.name} ({n + 1}/{len(paths)})", flush=True)
    return paths


def child(out: str, parts: list[str]) -> None:
    from eventapp.printing.pdf_join import join_pdfs

    before = _status_mb("VmRSS")
    started = time.perf_counter()
    pages = join_pdfs(map(Path, parts), Path(out))
    seconds = time.perf_counter() - started
    peak = _status_mb("VmHWM")
    print(json.dumps({"pages": pages, "seconds": seconds, "rss_before_mb": before, "peak_rss_mb": peak,
                      "growth_mb": peak - before, "bytes": Path(out).stat().st_size}))


def measure(parts: list[Path]) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-join-") as work:
        out = Path(work) / "joined.pdf"
        done = subprocess.run([sys.executable, "-m", "bench.pdf_join", "child", str(out), *map(str, parts)],
                              cwd=ROOT, capture_output=True, text=True, check=True)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        import pypdfium2

        document = pypdfium2.PdfDocument(out)
        try:
            assert len(document) == figures["pages"], (len(document), figures["pages"])
        finally:
            document.close()
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pdf_join", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", nargs="?", default="measure", choices=["measure", "child"])
    parser.add_argument("args", nargs="*")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args(argv)
    if options.mode == "child":
        child(options.args[0], options.args[1:])
        return
    parts = parts_for(options.count)
    input_mb = sum(p.stat().st_size for p in parts) / 2**20
    print(f"Joining {len(parts)} chunk files ({input_mb:.1f} MB) of {options.count:,} badges, "
          f"{options.repeat} times, each in a fresh process")
    runs = []
    for n in range(options.repeat):
        run = measure(parts)
        runs.append(run)
        print(f"  run {n + 1}: {run['seconds']:.2f} s, RSS {run['rss_before_mb']:.0f} MB before, "
              f"peak {run['peak_rss_mb']:.0f} MB (+{run['growth_mb']:.0f} MB), {run['pages']} pages, "
              f"{run['bytes'] / 2**20:.1f} MB out", flush=True)
    medians = {key: statistics.median(run[key] for run in runs)
               for key in ("seconds", "rss_before_mb", "peak_rss_mb", "growth_mb")}
    print("median: " + ", ".join(f"{key} {value:.2f}" for key, value in medians.items()))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "pdf_join.json").write_text(json.dumps(
        {"count": options.count, "parts": len(parts), "input_mb": input_mb, "runs": runs, "median": medians,
         "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
