"""Reading a CSV file record by record, tolerant of bad rows, in bounded memory.

The standard library's ``csv`` module parses; this module feeds it one physical line at a time
and turns what would make a whole-file reader give up into a problem *of one record*, with its
line number:
- a byte sequence that is not UTF-8, or a NUL byte, in a line (``invalid_utf8``, ``nul_byte``);
- a line longer than ``MAX_LINE`` bytes (``line_too_long``: skipped without being held in memory);
- a field longer than ``MAX_LINE`` (``field_too_long``);
- an unterminated quote that a later line closes: a record spanning several lines whose line
  break sits in one of the ``watched`` columns (those talentflow reads: a person, year or
  organization never holds a line break) is an ``unterminated_quote`` of its first line, and
  reading starts again at the next line, so the lines it swallowed are read as records again.
A line break inside a quoted field of another column is kept (legal CSV).
A UTF-16 file (byte-order mark, or NUL bytes in the header) is refused as a whole with the
advice to re-encode it, since every line of it would be a reject.
"""

from __future__ import annotations

import csv
from collections import deque
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterator

from talentflow.errors import InputError

MAX_LINE = 1 << 20  # bytes of one physical line, and characters of one field
csv.field_size_limit(MAX_LINE)

UTF16_ADVICE = "re-encode it as UTF-8 first, e.g. `iconv -f UTF-16 -t UTF-8 in.csv > out.csv` (Excel: Save As 'CSV UTF-8')"


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str
    raw: str | None


@dataclass(frozen=True)
class Record:
    """One CSV record: its physical lines ``first``..``last`` (1-based) and its cells, or a problem."""

    first: int
    last: int
    cells: list[str] | None
    problem: Problem | None = None

    @property
    def locator(self) -> str:
        return f"line {self.first}" if self.first == self.last else f"lines {self.first}-{self.last}"


def _physical_lines(fh: BinaryIO) -> Iterator[tuple[int, str, Problem | None]]:
    """(line number, text, problem) of each physical line; never reads more than MAX_LINE bytes at once."""
    n = 0
    while True:
        raw = fh.readline(MAX_LINE + 1)
        if not raw:
            return
        n += 1
        if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
            total = len(raw)
            while raw and not raw.endswith(b"\n"):  # skip the rest of the line, chunk by chunk
                raw = fh.readline(MAX_LINE + 1)
                total += len(raw)
            yield n, "\n", Problem("*", "line_too_long", f"{total:,} bytes (at most {MAX_LINE:,})")
            continue
        if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        nul = raw.find(b"\x00")
        if nul >= 0:
            yield n, "\n", Problem("*", "nul_byte", f"NUL at byte {nul + 1} of the line: {raw[:120]!r}")
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield n, "\n", Problem("*", "invalid_utf8", f"{exc.reason} at byte {exc.start + 1} of the line: {raw[:120]!r}")
            continue
        yield n, text, None


class _Feed:
    """The iterator csv.reader pulls lines from; remembers the lines of the current record and can
    give back all but the first of them (to read again after an unterminated quote)."""

    def __init__(self, lines: Iterator[tuple[int, str, Problem | None]]):
        self._lines = lines
        self._again: deque = deque()
        self.taken: list[tuple[int, str, Problem | None]] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        item = self._again.popleft() if self._again else next(self._lines)
        self.taken.append(item)
        return item[1]

    def start_record(self) -> None:
        self.taken = []

    def read_again_after_first(self) -> None:
        self._again.extendleft(reversed(self.taken[1:]))
        self.taken = self.taken[:1]


def read_records(fh: BinaryIO, file: str, *, watched: Callable[[list[str]], set[int]] | None = None
                 ) -> tuple[list[str], Iterator[Record]]:
    """The header (column names as written) and an iterator over the data records of ``fh``.

    ``watched(header)``: the indices of the columns in which a line break means an unterminated
    quote (those the caller reads); ``None`` watches every column."""
    head = fh.read(4)
    fh.seek(0)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) >= 2 and b"\x00" in head[:4]):
        raise InputError(f"{file}: line 1: the file is UTF-16 (or another wide encoding), not UTF-8; {UTF16_ADVICE}")
    feed = _Feed(_physical_lines(fh))
    reader = csv.reader(feed)
    header: list[str] | None = None
    while header is None:
        feed.start_record()
        try:
            row = next(reader)
        except StopIteration:
            raise InputError(f"{file}: line 1: the file is empty (no header line)") from None
        except csv.Error as exc:
            hint = ("; its lines seem to end in CR only (old Mac): convert them to LF first, e.g. `tr '\\r' '\\n'`"
                    if "new-line character" in str(exc) else "")
            raise InputError(f"{file}: line 1: the header cannot be read: {exc}{hint}") from None
        bad = [p for _, _, p in feed.taken if p]
        if bad:
            raise InputError(f"{file}: line 1: the header cannot be read: {bad[0].reason} ({bad[0].raw})"
                             + (f"; {UTF16_ADVICE}" if bad[0].reason in ("nul_byte", "invalid_utf8") else ""))
        if row:
            header = row
    watch_idx = sorted(watched(header)) if watched is not None else list(range(len(header)))
    return header, _records(feed, reader, len(header), header, watch_idx)


def _records(feed: _Feed, reader, width: int, header: list[str], watch_idx: list[int]) -> Iterator[Record]:
    while True:
        feed.start_record()
        try:
            row = next(reader)
            error = None
        except StopIteration:
            return
        except csv.Error as exc:
            row, error = None, str(exc)
        if not feed.taken:  # csv.Error before any line was read cannot happen; guard the arithmetic
            return
        first, last = feed.taken[0][0], feed.taken[-1][0]
        problems = [p for _, _, p in feed.taken if p]
        multi = last > first
        if multi and (error is not None or any("\n" in row[i] or "\r" in row[i] for i in watch_idx if i < len(row))):
            # a quote opened on line `first` and closed (or not) later: reject that line, read the rest again
            col = next((header[i] for i in watch_idx if row and i < len(row) and ("\n" in row[i] or "\r" in row[i])), "*")
            feed.read_again_after_first()
            reader = csv.reader(feed)
            yield Record(first, first, None, Problem(col, "unterminated_quote", feed.taken[0][1][:500]))
            continue
        if problems:
            yield Record(first, last, None, problems[0])
            reader = csv.reader(feed)
            continue
        if error is not None:
            reason = "field_too_long" if "field limit" in error else "malformed_csv"
            yield Record(first, last, None, Problem("*", reason, error))
            reader = csv.reader(feed)
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line is no record
        if len(row) != width:
            yield Record(first, last, None, Problem("*", "wrong_field_count", f"{len(row)} fields, the header has {width}"))
            continue
        yield Record(first, last, row)
