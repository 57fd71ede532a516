"""Join finished PDFs into one file, one part in memory at a time.

pypdf and pikepdf keep every page of every part until they save, so memory grows with the batch.
Here each part's objects are read, renumbered and written out at once; only the list of page
references and the cross-reference offsets (a few bytes per object) stay until the end."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
)

PAGES_ID, CATALOG_ID = 1, 2  # written last, numbered first


class _Output:
    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.offsets: dict[int, int] = {}
        self.next_id = CATALOG_ID + 1
        handle.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def allocate(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def write(self, object_id: int, obj: PdfObject) -> None:
        self.offsets[object_id] = self.handle.tell()
        self.handle.write(f"{object_id} 0 obj\n".encode())
        obj.write_to_stream(self.handle)
        self.handle.write(b"\nendobj\n")

    def finish(self, page_ids: list[int]) -> None:
        pages = DictionaryObject({
            NameObject("/Type"): NameObject("/Pages"), NameObject("/Count"): NumberObject(len(page_ids)),
            NameObject("/Kids"): ArrayObject(IndirectObject(i, 0, None) for i in page_ids)})
        self.write(PAGES_ID, pages)
        self.write(CATALOG_ID, DictionaryObject({NameObject("/Type"): NameObject("/Catalog"),
                                                 NameObject("/Pages"): IndirectObject(PAGES_ID, 0, None)}))
        xref = self.handle.tell()
        size = self.next_id
        self.handle.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
        for object_id in range(1, size):
            offset = self.offsets.get(object_id)
            self.handle.write(f"{offset:010d} 00000 n \n".encode() if offset is not None else b"0000000000 65535 f \n")
        self.handle.write(f"trailer\n<< /Size {size} /Root {CATALOG_ID} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())


def _copy_part(part: Path, out: _Output) -> list[int]:
    reader = PdfReader(part)
    new_ids: dict[int, int] = {}
    pending: list[int] = []

    def renumber(obj: PdfObject) -> PdfObject:
        if isinstance(obj, IndirectObject):
            if obj.idnum not in new_ids:
                new_ids[obj.idnum] = out.allocate()
                pending.append(obj.idnum)
            return IndirectObject(new_ids[obj.idnum], 0, None)
        if isinstance(obj, StreamObject):
            copy = obj.__class__()
            copy._data = obj._data  # the bytes as stored (still compressed); /Filter comes with the dictionary
            for key, value in obj.items():
                copy[NameObject(key)] = renumber(value)
            return copy
        if isinstance(obj, DictionaryObject):
            return DictionaryObject({NameObject(k): renumber(v) for k, v in obj.items()})
        if isinstance(obj, ArrayObject):
            return ArrayObject(renumber(v) for v in obj)
        return obj

    page_ids = []
    for page in reader.pages:
        reference = page.indirect_reference
        page_id = new_ids.setdefault(reference.idnum, out.allocate())
        page_ids.append(page_id)
        fields = {k: v for k, v in page.items() if k != "/Parent"}
        fields["/Parent"] = IndirectObject(PAGES_ID, 0, None)
        out.write(page_id, renumber(DictionaryObject(fields)))
    while pending:  # everything the pages refer to, each object once
        old_id = pending.pop()
        out.write(new_ids[old_id], renumber(reader.get_object(old_id)))
    return page_ids


def join_pdfs(parts: Iterable[Path], out_path: Path) -> int:
    """Concatenate the pages of `parts` in order into out_path. Returns the page count."""
    page_ids: list[int] = []
    with out_path.open("wb") as handle:
        out = _Output(handle)
        for part in parts:
            page_ids.extend(_copy_part(Path(part), out))
        out.finish(page_ids)
    return len(page_ids)
