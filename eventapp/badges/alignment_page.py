"""A test page for a sheet layout: each label's outline and centre, corner marks, and the numbers."""

from __future__ import annotations

from eventapp.badges.layouts import LayoutSpec, check_fits
from eventapp.printing import render_pdf

MARK_LENGTH_MM, MARK_GAP_MM, MARK_WIDTH_MM = 2.5, 0.5, 0.2

Rect = tuple[float, float, float, float]  # left, top, width, height in mm


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def corner_marks(spec: LayoutSpec) -> list[Rect]:
    """Crop marks pointing at each label corner, kept only where they print on no label."""
    labels = [(x, y, spec.label_width_mm, spec.label_height_mm) for x, y in map(spec.origin, range(spec.per_page))]
    marks: list[Rect] = []
    for x, y, w, h in labels:
        for cx, cy, left, up in ((x, y, True, True), (x + w, y, False, True), (x, y + h, True, False),
                                 (x + w, y + h, False, False)):
            vertical_top = cy - MARK_GAP_MM - MARK_LENGTH_MM if up else cy + MARK_GAP_MM
            horizontal_left = cx - MARK_GAP_MM - MARK_LENGTH_MM if left else cx + MARK_GAP_MM
            for mark in ((cx - MARK_WIDTH_MM / 2, vertical_top, MARK_WIDTH_MM, MARK_LENGTH_MM),
                         (horizontal_left, cy - MARK_WIDTH_MM / 2, MARK_LENGTH_MM, MARK_WIDTH_MM)):
                on_page = mark[0] >= 0 and mark[1] >= 0 and mark[0] + mark[2] <= spec.page_width_mm \
                    and mark[1] + mark[3] <= spec.page_height_mm
                if on_page and not any(_overlaps(mark, label) for label in labels) and mark not in marks:
                    marks.append(mark)
    return marks


def alignment_page_pdf(spec: LayoutSpec, *, title: str) -> bytes:
    """Needs no database: callers read the layout, end their transaction, then render."""
    check_fits(spec)
    slots = [spec.origin(i) for i in range(spec.per_page)]
    return render_pdf("badges/test_page.html", stylesheets=("print.css",), layout=spec, slots=slots,
                      marks=corner_marks(spec), title=title)
