"""Split a WeasyPrint PDF into one file per page, and compress it, without drawing it again.

A session's certificates are laid out as one document and drawn once, uncompressed
(``write_pdf(uncompressed_pdf=True)``: plain objects and a classic xref table, which pydyf
writes and this module reads). From that one drawing we write:

- each page as its own PDF: the page, the objects it references (fonts with their ToUnicode
  maps, colour spaces, the images the page actually draws) and a one-page tree;
- the combined PDF with every stream Flate-compressed.

Content streams are copied byte for byte, so the Thai text layer (ActualText spans from
creditbank/documents/textlayer.py) is exactly what WeasyPrint drew. Objects shared by every
page (the font subsets) are compressed once and reused. Anything this reader does not expect
raises ``PdfSplitError``; the caller then falls back to drawing single pages with WeasyPrint.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_XREF_ROW = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_REF = re.compile(rb"(\d+) 0 R")
_LENGTH = re.compile(rb"/Length (\d+)")
_ROOT = re.compile(rb"/Root (\d+) 0 R")
_INFO = re.compile(rb"/Info (\d+) 0 R")
_KIDS = re.compile(rb"/Kids \[([^\]]*)\]")
_PARENT = re.compile(rb"/Parent \d+ 0 R")
_RESOURCES_REF = re.compile(rb"/Resources (\d+) 0 R")
_CONTENTS_REF = re.compile(rb"/Contents (\d+) 0 R")
_XOBJECT_DICT = re.compile(rb"/XObject <<([^<>]*)>>")
_NAMED_REF = re.compile(rb"/([^\s/<>\[\]()]+) (\d+) 0 R")
_DO = re.compile(rb"/([^\s/<>\[\]()]+)\s+Do\b")
_LANG = re.compile(rb"/Lang (\([^)]*\))")


# Level 1 compresses a certificate's content stream 5x faster than zlib's default, for files
# about 15 % larger.
ZLIB_LEVEL = 1


class PdfSplitError(ValueError):
    pass


@dataclass
class PdfObject:
    head: bytes  # the dictionary (or other value) before any stream
    stream: bytes | None = None

    @property
    def compressed(self) -> bool:
        return b"/Filter" in self.head


class ParsedPdf:
    def __init__(self, data: bytes):
        if not data.startswith(b"%PDF-"):
            raise PdfSplitError("not a PDF")
        self.version = data[:8]
        match = _STARTXREF.search(data[-64:])
        if not match:
            raise PdfSplitError("no startxref")
        xref_at = int(match.group(1))
        if data[xref_at : xref_at + 4] != b"xref":
            raise PdfSplitError("not a classic xref table (compressed PDF?)")
        trailer_at = data.index(b"trailer", xref_at)
        offsets = {}
        section = data[xref_at:trailer_at].split(b"\n")
        start = 0
        for line in section[1:]:
            parts = line.split()
            if len(parts) == 2:
                start = int(parts[0])
                continue
            row = _XREF_ROW.match(line)
            if row:
                if row.group(3) == b"n":
                    offsets[start] = int(row.group(1))
                start += 1
        trailer = data[trailer_at:]
        root, info = _ROOT.search(trailer), _INFO.search(trailer)
        if not root:
            raise PdfSplitError("no /Root")
        self.root = int(root.group(1))
        self.info = int(info.group(1)) if info else None
        self.objects: dict[int, PdfObject] = {}
        for number, offset in offsets.items():
            self.objects[number] = self._read(data, number, offset)

    @staticmethod
    def _read(data: bytes, number: int, offset: int) -> PdfObject:
        header = b"%d 0 obj\n" % number
        if data[offset : offset + len(header)] != header:
            raise PdfSplitError(f"object {number} is not where the xref says")
        body_at = offset + len(header)
        stream_at = data.find(b"stream\n", body_at)
        end_at = data.find(b"endobj", body_at)
        if end_at < 0:
            raise PdfSplitError(f"object {number} has no end")
        if 0 <= stream_at < end_at:
            head = data[body_at:stream_at].rstrip()
            length = _LENGTH.search(head)
            if not length:
                raise PdfSplitError(f"stream {number} has no direct /Length")
            begin = stream_at + len(b"stream\n")
            stream = data[begin : begin + int(length.group(1))]
            return PdfObject(head, stream)
        return PdfObject(data[body_at:end_at].rstrip())

    def page_numbers(self) -> list[int]:
        catalog = self.objects[self.root].head
        pages_ref = re.search(rb"/Pages (\d+) 0 R", catalog)
        if not pages_ref:
            raise PdfSplitError("no page tree")
        kids = _KIDS.search(self.objects[int(pages_ref.group(1))].head)
        if not kids:
            raise PdfSplitError("no /Kids")
        numbers = [int(n) for n in _REF.findall(kids.group(1))]
        for number in numbers:
            if b"/Type /Page" not in self.objects[number].head or b"/Kids" in (
                self.objects[number].head
            ):
                raise PdfSplitError("nested page trees are not supported")
        return numbers

    @property
    def pages_tree(self) -> int:
        match = re.search(rb"/Pages (\d+) 0 R", self.objects[self.root].head)
        if not match:
            raise PdfSplitError("no page tree")
        return int(match.group(1))

    @property
    def lang(self) -> bytes | None:
        match = _LANG.search(self.objects[self.root].head)
        return match.group(1) if match else None


class _Writer:
    """Writes objects (renumbered from 1) and Flate-compresses uncompressed streams, reusing
    the compressed bytes of an object already compressed for another file."""

    def __init__(self, cache: dict):
        self.cache = cache

    def stream_bytes(self, key, obj: PdfObject) -> tuple[bytes, bytes]:
        if obj.stream is None:
            raise AssertionError
        if obj.compressed:
            return obj.head, obj.stream
        packed = self.cache.get(key) if key is not None else None
        if packed is None:
            packed = zlib.compress(obj.stream, ZLIB_LEVEL)
            if key is not None:
                self.cache[key] = packed
        head = _LENGTH.sub(b"/Length %d/Filter /FlateDecode" % len(packed), obj.head, count=1)
        return head, packed

    def write(self, version: bytes, objects: list[tuple[object, PdfObject]], root: int,
              info: int | None) -> bytes:  # fmt: skip
        out = bytearray(version + b"\n%\xf0\x9f\x96\xa4\n")
        offsets = []
        for index, (number, obj) in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % index
            if obj.stream is None:
                out += obj.head + b"\nendobj\n"
            else:
                head, data = self.stream_bytes(number, obj)
                out += head + b"\nstream\n" + data + b"\nendstream\nendobj\n"
        xref_at = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        for offset in offsets:
            out += b"%010d 00000 n \n" % offset
        out += b"trailer\n<<\n/Size %d\n/Root %d 0 R\n" % (len(objects) + 1, root)
        if info:
            out += b"/Info %d 0 R\n" % info
        out += b">>\nstartxref\n%d\n%%%%EOF\n" % xref_at
        return bytes(out)


def _renumber(head: bytes, mapping: dict[int, int]) -> bytes:
    def replace(match):
        old = int(match.group(1))
        if old not in mapping:
            raise PdfSplitError(f"reference to object {old} outside the file")
        return b"%d 0 R" % mapping[old]

    return _REF.sub(replace, head)


def _reachable(objects: dict[int, PdfObject], start: int) -> list[int]:
    seen: set[int] = set()
    stack = [start]
    while stack:
        number = stack.pop()
        if number in seen:
            continue
        obj = objects.get(number)
        if obj is None:
            raise PdfSplitError(f"missing object {number}")
        seen.add(number)
        stack.extend(int(n) for n in _REF.findall(obj.head))
    return sorted(seen)


def split_pages(pdf: ParsedPdf, cache: dict | None = None, key=0) -> list[bytes]:
    """One PDF per page, each with only the objects its page uses. Compressed streams go into
    ``cache`` under ``(key, object number)`` for the next file that shares them."""
    writer = _Writer({} if cache is None else cache)
    files = []
    lang = pdf.lang
    virtual = max(pdf.objects) + 1  # the page's pruned copy of the shared resources
    for page_number in pdf.page_numbers():
        page = pdf.objects[page_number]
        objects = dict(pdf.objects)
        # The page without its parent (which would pull in every other page).
        page_head = _PARENT.sub(b"", page.head)
        resources = _RESOURCES_REF.search(page_head)
        contents = _CONTENTS_REF.search(page_head)
        if resources and contents:
            content = pdf.objects[int(contents.group(1))]
            if content.compressed:
                raise PdfSplitError("compressed content stream")
            used = set(_DO.findall(content.stream or b""))

            def prune(match, used=used):
                kept = b"".join(
                    b"/%s %s 0 R" % (name, number)
                    for name, number in _NAMED_REF.findall(match.group(1))
                    if name in used
                )
                return b"/XObject <<" + kept + b">>"

            shared = pdf.objects[int(resources.group(1))]
            objects[virtual] = PdfObject(_XOBJECT_DICT.sub(prune, shared.head, count=1))
            page_head = page_head.replace(resources.group(0), b"/Resources %d 0 R" % virtual)
        objects[page_number] = PdfObject(page_head, page.stream)
        numbers = _reachable(objects, page_number)
        # New numbering: catalog 1, page tree 2, then the page's objects.
        mapping = {number: index for index, number in enumerate(numbers, start=3)}
        catalog = b"<</Type /Catalog/Pages 2 0 R" + (b"/Lang " + lang if lang else b"") + b">>"
        kids = b"<</Type /Pages/Kids [%d 0 R]/Count 1>>" % mapping[page_number]
        ordered: list[tuple[int | None, PdfObject]] = [
            (None, PdfObject(catalog)),
            (None, PdfObject(kids)),
        ]
        for number in numbers:
            obj = objects[number]
            head = _renumber(obj.head, mapping)
            if number == page_number:
                head = head.replace(b"/Type /Page", b"/Type /Page/Parent 2 0 R", 1)
            cache_key = None if number in (page_number, virtual) else (key, number)
            ordered.append((cache_key, PdfObject(head, obj.stream)))
        files.append(writer.write(pdf.version, ordered, root=1, info=None))
    return files


def merge(parts: list[ParsedPdf], cache: dict | None = None) -> bytes:
    """The pages of several documents, in order, as one compressed PDF. ``cache`` holds the
    streams ``split_pages`` compressed already, under ``(index of the part, object number)``."""
    writer = _Writer({} if cache is None else cache)
    ordered: list[tuple[object, PdfObject]] = [(None, PdfObject(b"")), (None, PdfObject(b""))]
    kids: list[int] = []
    next_index = 3
    for key, pdf in enumerate(parts):
        pages = pdf.page_numbers()
        skip = {pdf.root, pdf.pages_tree, pdf.info}
        numbers = sorted(n for n in pdf.objects if n not in skip)
        mapping = {number: next_index + i for i, number in enumerate(numbers)}
        next_index += len(numbers)
        for number in numbers:
            obj = pdf.objects[number]
            head = obj.head
            if number in pages:
                head = _PARENT.sub(b"/Parent 0 0 R", head)  # re-pointed below
            head = _renumber(head, {**mapping, 0: 2})
            ordered.append(((key, number), PdfObject(head, obj.stream)))
        kids += [mapping[number] for number in pages]
    lang = parts[0].lang if parts else None
    ordered[0] = (
        None,
        PdfObject(b"<</Type /Catalog/Pages 2 0 R" + (b"/Lang " + lang if lang else b"") + b">>"),
    )
    ordered[1] = (
        None,
        PdfObject(
            b"<</Type /Pages/Kids ["
            + b" ".join(b"%d 0 R" % k for k in kids)
            + b"]/Count %d>>" % len(kids)
        ),
    )
    return writer.write(parts[0].version if parts else b"%PDF-1.7", ordered, root=1, info=None)


def compress(pdf: ParsedPdf, cache: dict[int, bytes] | None = None) -> bytes:
    """The whole document with every stream Flate-compressed (same objects, renumbered)."""
    writer = _Writer({} if cache is None else cache)
    numbers = sorted(pdf.objects)
    mapping = {number: index for index, number in enumerate(numbers, start=1)}
    ordered = [
        (
            number,
            PdfObject(_renumber(pdf.objects[number].head, mapping), pdf.objects[number].stream),
        )
        for number in numbers
    ]
    return writer.write(
        pdf.version,
        ordered,
        root=mapping[pdf.root],
        info=mapping.get(pdf.info) if pdf.info else None,
    )
