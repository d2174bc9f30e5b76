"""Correct text layer for Thai (and other complex-script) PDFs rendered by WeasyPrint.

WeasyPrint 70 maps each glyph id to text once per document (the first time it draws it), so a
glyph that HarfBuzz produces for two different texts reads wrong in every place but the first:
Thai SARA AM (ำ) is shaped as NIKHAHIT + SARA AA, and that SARA AA is the same glyph as a plain
า, so ``น้ำ`` extracts as ``นา``, or ``นา`` as ``น้ำ``, depending on which came first. A mark
that the font moves with a GPOS offset also makes ``pdftotext`` read a space after it.

The fix (shared/notes/thai-pdf-text-layer.md) is what Chromium and LibreOffice do: wrap each
grapheme whose ToUnicode reading would differ from its source text in a marked-content span
``/Span <</ActualText <FEFF…>>> BDC … EMC``. We do it from outside WeasyPrint by wrapping
``weasyprint.draw.text.draw_first_line``: the original draws one line into a recorder, we find
the graphemes that need a span, split the recorded ``TJ`` arrays around them and replay the
operators onto the page. Only lines with complex-script characters pay for it, runs that
already read right are skipped in bulk, and any error replays WeasyPrint's own output.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import logging
import re
import sys
import threading
import unicodedata
from array import array

logger = logging.getLogger(__name__)

SUPPORTED_MAJOR = 70

# Scripts whose shaping reorders, splits or merges characters (Hebrew … Arabic, Indic, Thai,
# Lao, Tibetan, Myanmar, Khmer, Mongolian, Javanese, Arabic presentation forms).
_COMPLEX_SCRIPT = re.compile(
    "[\u0590-\u08ff\u0900-\u0dff\u0e00-\u0fff\u1000-\u109f\u1780-\u18af"
    "\ua980-\ua9df\uaa00-\uaa7f\ufb1d-\ufdff\ufe70-\ufefe]"
)
# WeasyPrint writes a line as hex glyph strings and numeric adjustments: <0012003a>-120<0044>
_TJ_TOKEN = re.compile(r"<([0-9a-fA-F]*)>|[^<]+")
_TJ_HEX = re.compile(r"<([0-9a-fA-F]*)>")
_PANGO_ELLIPSIS_FLAG = 1 << 1  # PANGO_ANALYSIS_FLAG_IS_ELLIPSIS (pango-item.h)
# pdftotext ends a span at its last glyph's right edge and reads a gap after it as a space: a
# span whose last glyph is a mark shifted this far (1/1000 em) left of the pen takes in the
# next grapheme.
_SHORT_END = 20

_OP_MATRIX, _OP_FONT, _OP_RISE, _OP_TEXT, _OP_RAW = range(5)

_lock = threading.Lock()
_state = {"original": None, "enabled": True}


class UnsupportedWeasyPrint(RuntimeError):
    pass


def install() -> None:
    """Wrap WeasyPrint's line drawing, once per process; refuses other major versions."""
    if _state["original"] is not None:
        return
    import weasyprint
    from weasyprint.draw import text as draw_text

    major = int(weasyprint.__version__.split(".")[0])
    if major != SUPPORTED_MAJOR:
        raise UnsupportedWeasyPrint(
            f"the Thai text-layer fix is written for WeasyPrint {SUPPORTED_MAJOR}.x, found "
            f"{weasyprint.__version__}: re-read weasyprint/draw/text.py before upgrading"
        )
    with _lock:
        if _state["original"] is not None:
            return
        original = draw_text.draw_first_line
        if getattr(original, "_creditbank_textlayer", False):  # this module was reloaded
            _state["original"] = original._creditbank_original
            return

        def draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
            if not _state["enabled"] or not _COMPLEX_SCRIPT.search(textbox.text):
                return original(stream, textbox, text_overflow, block_ellipsis, matrix)
            return _draw_with_actual_text(
                original, stream, textbox, text_overflow, block_ellipsis, matrix
            )

        draw_first_line._creditbank_textlayer = True
        draw_first_line._creditbank_original = original
        draw_text.draw_first_line = draw_first_line
        _state["original"] = original


def is_installed() -> bool:
    return _state["original"] is not None


class disabled:
    """``with textlayer.disabled():`` renders with WeasyPrint's own text layer (tests, benches).

    Process-wide: nothing that needs the fix may render in another thread meanwhile.
    """

    def __enter__(self):
        self._previous = _state["enabled"]
        _state["enabled"] = False
        return self

    def __exit__(self, *exc_info):
        _state["enabled"] = self._previous
        return False


class _Recorder:
    """Stands in for the page stream while the original draws one line; keeps the text ops."""

    __slots__ = ("_stream", "fonts", "ops")

    def __init__(self, stream):
        self._stream = stream
        self.ops = []
        self.fonts = {}

    def __getattr__(self, name):  # ink_rect, logical_rect, and whatever a later 70.x reads
        return getattr(self._stream, name)

    def add_font(self, pango_font):
        font, font_size = self._stream.add_font(pango_font)
        self.fonts[pango_font] = (font, font_size)
        return font, font_size

    def set_text_matrix(self, *values):
        self.ops.append((_OP_MATRIX, values))

    def set_font_size(self, font, size):
        self.ops.append((_OP_FONT, (font, size)))

    def set_text_rise(self, height):
        self.ops.append((_OP_RISE, height))

    def show_text(self, text):
        self.ops.append((_OP_TEXT, text))


def _draw_with_actual_text(original, stream, textbox, text_overflow, block_ellipsis, matrix):
    recorder = _Recorder(stream)
    emojis = original(recorder, textbox, text_overflow, block_ellipsis, matrix)
    ops = recorder.ops
    try:
        spans = _spans(textbox, recorder, text_overflow)
        if spans:
            ops = _with_spans(ops, *spans)
    except Exception:  # never lose a page over its text layer
        logger.warning("ActualText skipped for a line; keeping WeasyPrint's", exc_info=True)
        ops = recorder.ops
    for op, value in ops:
        if op == _OP_TEXT:
            stream.show_text(value)
        elif op == _OP_FONT:
            stream.set_font_size(*value)
        elif op == _OP_RISE:
            stream.set_text_rise(value)
        elif op == _OP_MATRIX:
            stream.set_text_matrix(*value)
        else:
            stream.stream.append(value)
    return emojis


def _drawn_glyph_ids(ops) -> list[int]:
    codes = "".join("".join(_TJ_HEX.findall(value)) for op, value in ops if op == _OP_TEXT)
    glyph_ids = array("H", bytes.fromhex(codes))
    if sys.byteorder == "little":
        glyph_ids.byteswap()
    return glyph_ids.tolist()


def _spans(textbox, recorder, text_overflow):
    """({first glyph: BDC operator}, {last glyph}) for the spans this line needs, or None.

    Glyphs are counted in drawing order, as they appear in the recorded ``TJ`` strings. None
    means the line reads right as it is and is replayed byte for byte.
    """
    from weasyprint.text.ffi import ffi

    if any(font.bitmap for font, _ in recorder.fonts.values()):
        return None  # 2-digit glyph codes; no complex-script bitmap fonts in our documents
    glyph_ids = _drawn_glyph_ids(recorder.ops)
    data = textbox.pango_layout.text.encode()
    line, _ = textbox.pango_layout.get_first_line()
    starts, ends = {}, set()
    drawn = 0
    run = line.runs[0]
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        drawn = _run_spans(
            glyph_item, recorder.fonts, glyph_ids, drawn, data, text_overflow, starts, ends
        )
    if drawn != len(glyph_ids):
        raise ValueError(f"{drawn} glyphs laid out, {len(glyph_ids)} drawn")
    return (starts, ends) if starts else None


def _run_spans(glyph_item, fonts, glyph_ids, drawn, data, text_overflow, starts, ends) -> int:
    """Add the spans one run needs to ``starts``/``ends``; return the glyphs drawn so far.

    Bisects the run's clusters: a stretch whose glyphs read exactly as its text needs nothing,
    so a line costs a few string joins plus one look per grapheme that reads wrong.
    """
    from weasyprint.text.ffi import FROM_UNITS, ffi, pango

    empty = pango.PANGO_GLYPH_EMPTY
    item = glyph_item.item
    glyph_string = glyph_item.glyphs
    count = glyph_string.num_glyphs
    info_size = ffi.sizeof("PangoGlyphInfo")
    stride = info_size // 4  # glyph, width, x_offset, y_offset, attr: 32 bits each
    info = memoryview(ffi.buffer(glyph_string.glyphs, count * info_size)).cast("i")
    glyphs = info[0::stride].tolist()
    if empty in glyphs:  # zero-width glyphs draw nothing: count what precedes each glyph
        before = list(itertools.accumulate((g != empty for g in glyphs), initial=0))
    else:
        before = range(count + 1)
    run_ids = glyph_ids[drawn : drawn + before[count]]
    if item.analysis.level % 2 or (text_overflow == "ellipsis" and _is_ellipsis_run(ffi, item)):
        # An ellipsis stands for text it does not show; right-to-left runs are WeasyPrint's.
        return drawn + before[count]

    font, font_size = fonts[item.analysis.font]
    read = font.to_unicode.__getitem__
    start, length = item.offset, item.length
    clusters = ffi.unpack(glyph_string.log_clusters, count)
    firsts = [0, *itertools.compress(range(1, count), map(int.__ne__, clusters, clusters[1:]))]
    total = len(firsts)  # graphemes-or-smaller pieces: HarfBuzz clusters
    firsts.append(count)
    clusters.append(length)

    def text(a, b):  # source text of clusters a … b-1
        return data[start + clusters[firsts[a]] : start + clusters[firsts[b]]].decode()

    def reading(a, b):  # what a ToUnicode reader extracts from clusters a … b-1
        return "".join(map(read, run_ids[before[firsts[a]] : before[firsts[b]]]))

    wrong = []
    pending = [(0, total)]
    while pending:
        a, b = pending.pop()
        if reading(a, b) != text(a, b):
            if b - a == 1:
                wrong.append(a)
            else:
                middle = (a + b) // 2
                pending += ((a, middle), (middle, b))

    x_offsets = info[2::stride].tolist()
    y_offsets = info[3::stride].tolist()
    # Glyphs the font moved (GPOS): pdftotext places them by position, so they must sit in a
    # span with their base; ``short`` ones end left of the pen, so the span takes in more.
    shifted = [
        i for i in itertools.compress(range(count), map(int.__or__, x_offsets, y_offsets))
        if glyphs[i] != empty
    ]  # fmt: skip
    short = set()
    if shifted:
        widths, to_em = font.widths, 1000 * FROM_UNITS / font_size
        pango_widths = info[1::stride].tolist()
        for i in shifted:
            edge = (  # right edge as WeasyPrint places the glyph, relative to the pen
                widths[run_ids[before[i]]] + x_offsets[i] / font_size - pango_widths[i] * to_em
            )
            if edge < -_SHORT_END:
                short.add(i)
    if not wrong and not shifted:
        return drawn + before[count]

    @functools.cache
    def is_mark(k):  # cluster k belongs with the grapheme before it
        g0, g1 = firsts[k], firsts[k + 1]
        if unicodedata.category(text(k, k + 1)[0]).startswith("M"):
            return True
        return any(x_offsets[g0:g1]) or any(y_offsets[g0:g1])

    def unit(k):  # the base and marks around cluster k, as cluster ordinals [a, b)
        a, b = k, k + 1
        while a > 0 and is_mark(a):
            a -= 1
        while b < total and is_mark(b):
            b += 1
        return a, b

    def ends_short(b):  # the last glyph drawn for clusters … b-1 is a shifted mark
        last = before[firsts[b]] - 1
        return any(i in short for i in range(firsts[b - 1], firsts[b]) if before[i] == last)

    needed = {unit(k) for k in wrong}
    needed.update(unit(bisect.bisect_right(firsts, i) - 1) for i in shifted)
    needed = sorted(needed)
    spans = []  # [a, b) cluster ranges; neighbours merge, as fewer spans cost less
    for a, b in needed:
        if spans and a < spans[-1][1]:
            continue  # already inside the previous span
        while b < total and ends_short(b):
            b = unit(b)[1]  # a gap would follow: take in the next grapheme too
        if spans and a == spans[-1][1]:
            spans[-1][1] = b
        else:
            spans.append([a, b])
    for a, b in spans:
        first, last = before[firsts[a]], before[firsts[b]] - 1
        source = text(a, b)
        if last < first or source.isspace():
            continue  # draws nothing; or no-break spaces, which read as spaces anyway
        hex_text = source.encode("utf-16-be").hex().encode()
        starts[drawn + first] = b"/Span <</ActualText <FEFF" + hex_text + b">>> BDC"
        ends.add(drawn + last)
    return drawn + before[count]


def _with_spans(ops, starts, ends):
    """The recorded operators with TJ arrays split around the spans and BDC/EMC inserted."""
    # Boundaries as (glyph before which it falls, EMC first, operator): an EMC after glyph e
    # falls before glyph e + 1, and closes a span before the next one opens there.
    boundaries = sorted(
        [(first, 1, operator) for first, operator in starts.items()]
        + [(last + 1, 0, b"EMC") for last in ends]
    )
    boundaries.append((sys.maxsize, 0, b""))
    result = []
    glyph = 0  # glyphs drawn by the operators before this one
    index = 0
    for op, value in ops:
        if op != _OP_TEXT:
            result.append((op, value))
            continue
        parts = value.split("<")  # "<hex>number" pieces, after a leading number
        hex_ends = list(itertools.accumulate([part.find(">") for part in parts[1:]], initial=0))
        count = hex_ends[-1] // 4
        here = []
        while boundaries[index][0] <= glyph + count and (
            boundaries[index][0] < glyph + count or boundaries[index][1] == 0
        ):
            here.append(boundaries[index])
            index += 1
        if not here:
            result.append((op, value))
            glyph += count
            continue
        part_ends = list(itertools.accumulate(map(len, parts)))
        previous, prefix = 0, ""
        for at, _, operator in here:
            hex_offset = 4 * (at - glyph)
            # The part holding that hex digit (the last one, should empty strings share it).
            part = bisect.bisect_right(hex_ends, hex_offset - (operator == b"EMC")) - 1
            if part < 0:
                raise ValueError("span boundary outside its TJ array")
            position = part_ends[part] + part + 1 + hex_offset - hex_ends[part]
            _flush(result, prefix + value[previous:position])
            result.append((_OP_RAW, operator))
            previous, prefix = position, "<"
        _flush(result, prefix + value[previous:])
        glyph += count
    return result


def _flush(result, text):
    """Queue a TJ piece cut from a longer one, closing its hex string; skip it if empty."""
    if text.endswith("<"):
        text = text[:-1]
    elif text.rfind("<") > text.rfind(">"):
        text += ">"
    if text.replace("<>", "").strip("0"):
        result.append((_OP_TEXT, text))


def _is_ellipsis_run(ffi, item) -> bool:
    # WeasyPrint's cdef declares PangoAnalysis' guint8 level/gravity/flags/script as guints:
    # read the real flags byte, the third one from ``level``.
    raw = ffi.cast("unsigned char *", ffi.addressof(item.analysis, "level"))
    return bool(raw[2] & _PANGO_ELLIPSIS_FLAG)
