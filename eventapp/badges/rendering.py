"""Badge sheets to PDF: in chunks, rendered in parallel worker processes, joined in order.

One WeasyPrint pass over thousands of badges holds the whole layout in memory and uses one core;
chunks of CHUNK_PAGES pages keep memory flat whatever the count and use every core. The join (pdf_join)
opens the chunk files on disk one at a time and copies their pages; only the joined document grows,
with its size on disk (about 35 MB of memory for 10,000 badges)."""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from threading import Lock

from eventapp.badges.design import BadgeView, geometry_css, size_class
from eventapp.badges.layouts import LayoutSpec, check_fits
from eventapp.printing import render_pdf
from eventapp.printing.pdf_join import join_pdfs

CHUNK_PAGES = 10
STYLESHEETS = ("print.css", "badges/badges.css")

_pool: ProcessPoolExecutor | None = None
_pool_lock = Lock()


def render_sheet_pdf(badges: Sequence[BadgeView], layout: LayoutSpec) -> bytes:
    """One chunk (or a small batch) in this process."""
    pages = [list(badges[i:i + layout.per_page]) for i in range(0, len(badges), layout.per_page)]
    css = geometry_css(layout.design, [layout.origin(i) for i in range(layout.per_page)],
                       (layout.label_width_mm, layout.label_height_mm), (layout.page_width_mm, layout.page_height_mm),
                       {t.size_mm for b in badges for t in b.texts.values()})
    return render_pdf("badges/sheet.html", stylesheets=STYLESHEETS, pages=pages, layout=layout,
                      geometry_css=css, size_class=size_class)


def _render_chunk_to_file(badges: Sequence[BadgeView], layout: LayoutSpec, path: str) -> int:
    Path(path).write_bytes(render_sheet_pdf(badges, layout))
    return len(badges)


def _worker_count() -> int:
    """Processes rendering at once, this one included: one per CPU, at most 4 (EVENTAPP_PDF_WORKERS)."""
    return max(1, min(os.cpu_count() or 1, int(os.environ.get("EVENTAPP_PDF_WORKERS", "0")) or 4))


def _process_pool(size: int) -> ProcessPoolExecutor:
    """Long-lived workers (forkserver: safe from threaded servers), so WeasyPrint and the fonts load once."""
    global _pool
    with _pool_lock:
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["eventapp.badges.rendering"])
            _pool = ProcessPoolExecutor(max_workers=size, mp_context=context)
        return _pool


def shutdown_pool() -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None


def write_badge_sheets(badges: Sequence[BadgeView], layout: LayoutSpec, out_path: Path, *,
                       progress: Callable[[int], None] | None = None, chunk_pages: int | None = None) -> int:
    """Write all badges to out_path as one PDF; progress(n) is called as chunks finish. Returns page count."""
    check_fits(layout)
    chunk_size = layout.per_page * (chunk_pages or CHUNK_PAGES)
    chunks = [badges[i:i + chunk_size] for i in range(0, len(badges), chunk_size)]
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if len(chunks) <= 1:
        out_path.write_bytes(render_sheet_pdf(badges, layout))
        if progress:
            progress(len(badges))
        return -(-len(badges) // layout.per_page)
    with tempfile.TemporaryDirectory(prefix="badges-", dir=out_path.parent) as work:
        parts = [str(Path(work) / f"part-{n:05d}.pdf") for n in range(len(chunks))]
        _render_chunks(chunks, layout, parts, progress)
        return _join(parts, out_path)


def _render_chunks(chunks: Sequence[Sequence[BadgeView]], layout: LayoutSpec, parts: Sequence[str],
                   progress: Callable[[int], None] | None) -> None:
    """Chunks go to the worker processes, and this process renders every n-th one itself rather than
    wait: the same use of the CPUs with one process (and its memory) fewer."""
    renderers = _worker_count()
    own = set(range(renderers - 1, len(chunks), renderers)) if renderers > 1 else set(range(len(chunks)))
    pool = _process_pool(renderers - 1) if len(own) < len(chunks) else None
    futures: dict[int, Future[int]] = {
        n: pool.submit(_render_chunk_to_file, chunk, layout, part)
        for n, (chunk, part) in enumerate(zip(chunks, parts, strict=True)) if n not in own} if pool else {}

    def report_finished() -> None:
        for n in [n for n, future in futures.items() if future.done()]:
            done = futures.pop(n).result()  # raises here if that chunk failed
            if progress:
                progress(done)

    for n in sorted(own):
        done = _render_chunk_to_file(chunks[n], layout, parts[n])
        if progress:
            progress(done)
        report_finished()
    for n in sorted(futures):
        done = futures.pop(n).result()
        if progress:
            progress(done)


def _join(parts: Sequence[str], out_path: Path) -> int:
    return join_pdfs(map(Path, parts), out_path)
