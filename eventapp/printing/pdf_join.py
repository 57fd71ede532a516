"""Join finished PDFs into one file with PDFium (pypdfium2's import_pages): one part open at a time.

The joined document is held by PDFium until it is saved, so memory grows with the output, not with the
parts: about three times the joined file's size (badge sheets: some 1.2 MB per 1,000 badges, so about
35 MB for 10,000; bench/pdf_join.py measures it). Each part is read, its pages copied, and closed."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

import pypdfium2

# PDFium is not thread-safe: one join (or other use of pypdfium2 from here) at a time per process.
_pdfium_lock = threading.Lock()


def join_pdfs(parts: Iterable[Path], out_path: Path) -> int:
    """Concatenate the pages of `parts` in order into out_path. Returns the page count."""
    with _pdfium_lock:
        joined = pypdfium2.PdfDocument.new()
        try:
            for part in parts:
                source = pypdfium2.PdfDocument(Path(part))
                try:
                    joined.import_pages(source)
                finally:
                    source.close()
            pages = len(joined)
            joined.save(out_path)
        finally:
            joined.close()
    return pages
