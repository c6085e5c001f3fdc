"""Import of the national 介護サービス情報公表システム open data (one CSV per service type).

One run reads any number of CSV files, folders and ZIP archives (partners/services/sources.py),
imports the rows of one prefecture (or all; the others are counted as skipped, not checked),
records the data date, and, for a snapshot (complete national files of their service types),
marks closed the establishments of those service types the files no longer list and reopens
those they list again. Unknown locations and 法人番号 with a wrong check digit keep their row
with a warning; broken cells reject it; warnings and rejects share one downloadable file.

Each file is streamed in batches (bounded memory), upserts idempotently, never lets a bad row stop the
good ones (each goes to a reject CSV with its line, column and a Japanese reason; every value is
checked against the column it lands in before it reaches the database), commits batch by batch so
an interrupted run leaves the database consistent and a rerun completes it, and records every run
with its file, hash, counts and who started it. A run that stops by any means is never left
"running": it is marked interrupted on the way out, or, when the process was killed, by the next
start or the periodic sweep, which find its heartbeat stale.
"""

import csv
import functools
import hashlib
import logging
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, TextIO
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, DataError, connection, models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from partners import catalogue, selectors
from partners.models import (
    Corporation,
    CorporationKind,
    Establishment,
    ImportRun,
    ImportStatus,
    Municipality,
)
from partners.services.registry import corporations_refresh_size
from partners.services.sources import (
    Skipped,
    Source,
    UnusableFile,
    proposed_as_of,
    sniff,
    sources_of,
)
from partners.state import registry_changed
from portal.changes import with_actor
from portal.spreadsheets import csv_writer
from portal.text import normalize
from portal.validators import (
    is_valid_corporate_number,
    validate_establishment_number,
    validate_municipality_code,
)

HEADER = (
    "都道府県コード又は市町村コード",
    "No",
    "都道府県名",
    "市区町村名",
    "事業所名",
    "事業所名カナ",
    "サービスの種類",
    "住所",
    "方書（ビル名等）",
    "緯度",
    "経度",
    "電話番号",
    "FAX番号",
    "法人番号",
    "法人の名称",
    "事業所番号",
    "利用可能曜日",
    "利用可能曜日特記事項",
    "定員",
    "URL",
    "高齢者の方と障害者の方が同時一体的に利用できるサービス",
    "介護保険の通常の指定基準を満たしている",
    "障害福祉の通常の指定基準を満たしている",
    "備考",
)
COLUMN = {name: index for index, name in enumerate(HEADER)}
ESTABLISHMENT_FIELDS = (
    "name",
    "kana",
    "corporation_id",
    "municipality_id",
    "address",
    "building",
    "latitude",
    "longitude",
    "phone",
    "fax",
    "url",
    "capacity",
    "available_days",
    "available_days_note",
    "shared_service",
    "meets_care_standard",
    "meets_disability_standard",
    "remarks",
    "search_text",
)
BATCH_SIZE = 1000
# PostgreSQL writes a batch set-based (bulk_pg): a few statements whatever its size, so larger
# batches cost less per row; still small enough to hold in memory and to retry row by row.
BATCH_SIZE_SET_BASED = 5000
PREFECTURE_COLUMN = COLUMN["都道府県名"]
SERVICE_COLUMN = COLUMN["サービスの種類"]
WARNING = "警告"
REJECTED = "取り込めず"


logger = logging.getLogger(__name__)
MB = 1024 * 1024
NUL = "\x00"
NUL_REASON = "使えない文字（NUL）が含まれています。"
CONTINUE_HINT = (
    "ここまでの行は保存されています。同じファイルをもう一度取り込むと続きから完了します。"
)


@dataclass
class Unreadable:
    """A record the CSV reader could not turn into cells (malformed, or over the size cap)."""

    reason: str


class RecordTooLong(Exception):
    """One CSV record is longer than IMPORT_CSV_MAX_RECORD_CHARS (a million columns, a huge value)."""


# --- Column limits, read from the model fields so they cannot drift ------------------------------
@functools.cache  # fields do not change while the process runs; read 20 times a row
def _max_length(model: type[models.Model], name: str) -> int | None:
    return model._meta.get_field(name).max_length  # type: ignore[union-attr]


def _text_problem(label: str, value: str, model: type[models.Model], name: str) -> str | None:
    """Why `value` cannot be stored in `model.name`, in Japanese, or None."""
    if NUL in value:
        return NUL_REASON
    limit = _max_length(model, name)
    if limit is not None and len(value) > limit:
        return f"{label}が長すぎます（{len(value):,}文字、上限{limit:,}文字）。"
    return None


@functools.cache
def _integer_range(model: type[models.Model], name: str) -> tuple[int, int]:
    # The portable ranges (PostgreSQL's), so that SQLite refuses exactly what PostgreSQL would.
    internal_type = model._meta.get_field(name).get_internal_type()  # type: ignore[union-attr]
    return BaseDatabaseOperations.integer_field_ranges[internal_type]


def fit_to_column(model: type[models.Model], name: str, value: str) -> str:
    """A value of our own making (file name, message) made storable: no NUL, cut to the column."""
    value = (value or "").replace(NUL, "")
    limit = _max_length(model, name)
    return value[:limit] if limit else value


# --- The life of a run ------------------------------------------------------------------------
def import_runs_mark_interrupted(*, older_than_seconds: int) -> int:
    """Mark interrupted every running import whose heartbeat is older than the limit (its process
    was killed: SIGKILL, out of memory, a lost machine). Returns how many were marked."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    stale = ImportRun.objects.annotate(last_sign=Coalesce("heartbeat_at", "started_at")).filter(
        Q(last_sign__lt=cutoff), status=ImportStatus.RUNNING
    )
    message = (
        "取り込みの処理が応答しなくなったため中断として記録しました"
        f"（{older_than_seconds}秒以上進みがありませんでした。処理が強制終了された可能性があります）。"
        + CONTINUE_HINT
    )
    marked = ImportRun.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).update(
        status=ImportStatus.INTERRUPTED, finished_at=timezone.now(), message=message
    )
    if marked:
        logger.warning("Marked %d stale import run(s) interrupted", marked)
    return marked


# Every change of an ImportRun's status is one of the functions below (queued → running → done,
# failed or interrupted); no other code writes `status`.
def _run_queue(*, name: str, by, **settings_of_run) -> ImportRun:
    return ImportRun.objects.create(
        file_name=name, file_hash="", started_by=by, status=ImportStatus.QUEUED, **settings_of_run
    )


def _run_start(
    *, run: ImportRun | None, kind: str, name: str, digest: str, by, **settings_of_run
) -> ImportRun:
    """A new run, or a queued (or interrupted) upload taken up again, now running."""
    if run is None:
        return ImportRun.objects.create(
            kind=kind, file_name=name, file_hash=digest, started_by=by,
            status=ImportStatus.RUNNING, heartbeat_at=timezone.now(), **settings_of_run,
        )  # fmt: skip
    ImportRun.objects.filter(pk=run.pk).update(
        file_hash=digest,
        status=ImportStatus.RUNNING,
        progress=0,
        heartbeat_at=timezone.now(),
        finished_at=None,
        message="",
        **Counts().fields(),
        **settings_of_run,
    )
    run.refresh_from_db()
    return run


def _run_fail(*, run: ImportRun | None, kind: str, name: str, by, message: str) -> None:
    """The file is unusable: nothing of it was written."""
    failed = {
        "status": ImportStatus.FAILED,
        "finished_at": timezone.now(),
        "message": fit_to_column(ImportRun, "message", message),
    }
    if run is not None:
        ImportRun.objects.filter(pk=run.pk).update(**failed)
    else:
        ImportRun.objects.create(kind=kind, file_name=name, file_hash="", started_by=by, **failed)


def _run_done(
    run: ImportRun, counts: "Counts", *, rejects_file: str, message: str, sources=None
) -> ImportRun:
    finished = timezone.now()
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.DONE,
        finished_at=finished,
        heartbeat_at=finished,
        rejects_file=rejects_file,
        message=fit_to_column(ImportRun, "message", message),
        progress=100,
        **counts.fields(),
        **({"sources": sources} if sources is not None else {}),
    )
    # Pages credit the data with its date: a new date shows at once, not after the cache expires.
    transaction.on_commit(selectors.forget_data_as_of)
    run.refresh_from_db()
    return run


def _mark_stopped(run: ImportRun, exc: BaseException, counts: "Counts") -> None:
    """Record why a run stopped part-way; never masks the original exception."""
    if isinstance(exc, KeyboardInterrupt):
        reason = "停止の指示（Ctrl-C・終了シグナル）で中断しました。"
    else:
        reason = f"エラーで中断しました（{type(exc).__name__}: {exc}）。"
    # The database may be what failed; then the next start or the sweep marks the run instead.
    with suppress(DatabaseError):
        ImportRun.objects.filter(pk=run.pk, status=ImportStatus.RUNNING).update(
            status=ImportStatus.INTERRUPTED,
            finished_at=timezone.now(),
            message=fit_to_column(ImportRun, "message", reason + CONTINUE_HINT),
            rows=counts.rows,
            rejected=counts.rejected,
        )


class Heartbeat:
    """Writes a run's heartbeat, its counts and progress so far at most every `every` seconds
    (or at once when forced, after a batch), so that a long stretch of skipped or rejected rows,
    which writes no batch, still shows the run is alive and moving."""

    def __init__(self, run: ImportRun, every: float = 10.0, sources: list[dict] | None = None):
        self._run_pk = run.pk
        self._every = every
        self._last = time.monotonic()
        self.sources = sources if sources is not None else []

    def __call__(self, counts: "Counts", *, force: bool = False) -> None:
        if not force and time.monotonic() - self._last < self._every:
            return
        self._last = time.monotonic()
        total = sum(s["rows"] for s in self.sources if not s.get("skipped"))
        extra: dict[str, Any] = {}
        if self.sources:
            extra = {
                "sources": self.sources,
                "progress": min(99, counts.rows * 100 // max(total, 1)),
            }
        ImportRun.objects.filter(pk=self._run_pk).update(
            heartbeat_at=timezone.now(),
            rows=counts.rows,
            created=counts.created,
            updated=counts.updated,
            unchanged=counts.unchanged,
            rejected=counts.rejected,
            skipped=counts.skipped,
            reopened=counts.reopened,
            warnings=counts.warnings,
            **extra,
        )


def _sweep_before_start() -> None:
    import_runs_mark_interrupted(older_than_seconds=settings.IMPORT_RUN_STALE_SECONDS)


# --- Bounded CSV reading ----------------------------------------------------------------------
class BoundedLines:
    """The lines of a text file for csv.reader, refusing a record longer than `limit` characters.

    csv.reader builds a whole record in memory before returning it, so a line of a million commas
    or a value of a gigabyte would be read in full; this stops such a record after `limit`
    characters, skips the rest of its line, and lets the reader go on with the next line.
    """

    def __init__(self, handle: TextIO, limit: int):
        self._handle = handle
        self._limit = limit
        self._record = 0
        self.lines = 0  # physical lines handed out, so line numbers count the skipped ones

    def __iter__(self) -> "BoundedLines":
        return self

    def __next__(self) -> str:
        line = self._handle.readline(self._limit + 1)
        if not line:
            raise StopIteration
        self.lines += 1
        self._record += len(line)
        if self._record > self._limit:
            while line and not line.endswith(("\n", "\r")):
                line = self._handle.readline(self._limit)
            self._record = 0
            raise RecordTooLong
        return line

    def record_done(self) -> None:
        self._record = 0


def _too_long_reason() -> str:
    return (
        f"行が長すぎます（上限{settings.IMPORT_CSV_MAX_RECORD_CHARS:,}文字）。"
        "列が多すぎるか、とても長い値が含まれています。"
    )


def _csv_records(
    handle: TextIO, *, header_check: Callable[[list[str]], None]
) -> Iterator[tuple[int, list[str] | Unreadable]]:
    """(line where the record starts, cells or why it is unreadable), after checking the header."""
    lines = BoundedLines(handle, settings.IMPORT_CSV_MAX_RECORD_CHARS)
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise UnusableFile("ファイルが空です。") from None
    except RecordTooLong:
        raise UnusableFile(f"見出し行を読めません: {_too_long_reason()}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UnusableFile(f"見出し行を読めません: {exc}") from exc
    header_check(header)
    lines.record_done()
    start = lines.lines + 1
    while True:
        try:
            cells: list[str] | Unreadable = next(reader)
        except StopIteration:
            return
        except RecordTooLong:
            cells = Unreadable(_too_long_reason())
        except csv.Error as exc:
            cells = Unreadable(f"CSVとして読めない行です: {exc}")
        lines.record_done()
        # A record of blank cells only is a blank line (one join and strip instead of a generator).
        if isinstance(cells, Unreadable) or "".join(cells).strip():
            yield start, cells
        start = lines.lines + 1


@dataclass
class Reject:
    line: int
    column: str
    reason: str
    values: list[str]


@dataclass
class CleanRow:
    line: int
    cells: list[str]
    municipality_code: str
    prefecture_name: str
    municipality_name: str
    corporation_number: str | None
    corporation_name: str
    establishment: dict = field(default_factory=dict)
    warnings: list[Reject] = field(default_factory=list)  # kept, but not as the data said


@dataclass
class Counts:
    """Each row read is counted once as created, updated, unchanged, reopened (listed again
    after being closed), rejected or skipped (another prefecture); `closed` counts
    establishments, `warnings` the warnings written (a kept row may have two)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0
    closed: int = 0
    reopened: int = 0
    warnings: int = 0
    corporations: set[int] = field(default_factory=set)  # ids named in the file

    def fields(self) -> dict[str, int]:
        """The ImportRun columns these counts are stored in."""
        return {
            name: getattr(self, name)
            for name in (
                "rows", "created", "updated", "unchanged", "rejected",
                "skipped", "closed", "reopened", "warnings",
            )
        }  # fmt: skip


# --- Reading ----------------------------------------------------------------------------------
def sniff_file(path: Path) -> tuple[str, str, int]:
    """Encoding, SHA-256 and line count of one file (see sources.sniff)."""
    found = sniff(Source(Path(path)))
    return found.encoding, found.digest, found.lines


def _same_header(cells: list[str]) -> bool:
    return [unicodedata.normalize("NFKC", c).strip() for c in cells] == [
        unicodedata.normalize("NFKC", c) for c in HEADER
    ]


def _check_header(header: list[str]) -> None:
    if not _same_header(header):
        first = (header[0] if header else "")[:50]
        raise UnusableFile(
            "見出し行が介護サービス情報公表システムのオープンデータ（24列）と一致しません。"
            f"1列目は「{first}」でした。"
        )


def read_rows(source: Source | Path, encoding: str) -> Iterator[tuple[int, list[str] | Unreadable]]:
    """(line number where the record starts, cells) for every data row; checks the header first."""
    if not isinstance(source, Source):
        source = Source(Path(source))
    with source.open_text(encoding) as handle:
        yield from _csv_records(handle, header_check=_check_header)


# --- Cleaning ---------------------------------------------------------------------------------
def _nfkc(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


def corporation_kind(name: str) -> str:
    rules = (
        ("社会福祉法人", CorporationKind.SOCIAL_WELFARE),
        ("医療法人", CorporationKind.MEDICAL),
        ("特定非営利活動法人", CorporationKind.NPO),
        ("NPO法人", CorporationKind.NPO),
        ("株式会社", CorporationKind.FOR_PROFIT),
        ("有限会社", CorporationKind.FOR_PROFIT),
        ("合同会社", CorporationKind.FOR_PROFIT),
        ("合資会社", CorporationKind.FOR_PROFIT),
        ("一般社団法人", CorporationKind.ASSOCIATION),
        ("一般財団法人", CorporationKind.ASSOCIATION),
        ("公益社団法人", CorporationKind.ASSOCIATION),
        ("公益財団法人", CorporationKind.ASSOCIATION),
        ("協同組合", CorporationKind.COOPERATIVE),
        ("生活協同組合", CorporationKind.COOPERATIVE),
    )
    normalized = _nfkc(name)
    for marker, kind in rules:
        if marker in normalized:
            return kind
    if re.search(r"(市|町|村|区)$|広域連合|一部事務組合", normalized):
        return CorporationKind.PUBLIC
    return CorporationKind.OTHER


class UnknownLocation(Exception):
    """The data does not say where the site is (0, blank, or outside Japan): kept unplaced."""


def _coordinate(value: str, low: int, high: int, label: str, name: str) -> Decimal:
    """The stored coordinate; ValidationError when broken (not a number), UnknownLocation when
    the data does not know it."""
    value = _nfkc(value)
    if not value:
        raise UnknownLocation(f"{label}が空欄です。")
    shown = value[:30]
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValidationError(f"{label}が数値ではありません（「{shown}」）。") from None
    if not number.is_finite():  # NaN and Infinity parse, and NaN cannot even be compared
        raise ValidationError(f"{label}が数値ではありません（「{shown}」）。")
    if number == 0:  # how the national data writes "unknown"
        raise UnknownLocation(f"{label}が0（不明）です。")
    if not low <= number <= high:
        raise UnknownLocation(f"{label}が日本の範囲（{low}～{high}）にありません（{shown}）。")
    column = Establishment._meta.get_field(name)
    number = number.quantize(Decimal(1).scaleb(-column.decimal_places))  # type: ignore[union-attr]
    if len(number.as_tuple().digits) > column.max_digits:  # type: ignore[union-attr]
        raise ValidationError(f"{label}の桁が多すぎます（{shown}）。")
    return number


def _location(latitude: str, longitude: str) -> tuple[Decimal | None, Decimal | None, str]:
    """(latitude, longitude, why the site is unplaced or ""); a point is both or neither.
    Raises ValidationError(message, code=column) for a cell that is not a number."""
    unknown = []
    values: list[Decimal | None] = []
    for text, low, high, label, name in (
        (latitude, 20, 46, "緯度", "latitude"),
        (longitude, 122, 154, "経度", "longitude"),
    ):
        try:
            values.append(_coordinate(text, low, high, label, name))
        except UnknownLocation as exc:
            unknown.append(str(exc))
            values.append(None)
        except ValidationError as exc:
            raise ValidationError(exc.messages[0], code=label) from None
    if unknown:
        return None, None, "".join(unknown) + "位置なしで取り込みました。"
    return values[0], values[1], ""


# Where each text column is stored, so that its limit is the model field's.
STORED_TEXT: tuple[tuple[str, type[models.Model], str], ...] = (
    ("都道府県名", Municipality, "prefecture_name"),
    ("市区町村名", Municipality, "name"),
    ("法人の名称", Corporation, "name"),
    ("事業所名", Establishment, "name"),
    ("事業所名カナ", Establishment, "kana"),
    ("サービスの種類", Establishment, "service_type"),
    ("住所", Establishment, "address"),
    ("方書（ビル名等）", Establishment, "building"),
    ("電話番号", Establishment, "phone"),
    ("FAX番号", Establishment, "fax"),
    ("URL", Establishment, "url"),
    ("利用可能曜日", Establishment, "available_days"),
    ("利用可能曜日特記事項", Establishment, "available_days_note"),
    ("高齢者の方と障害者の方が同時一体的に利用できるサービス", Establishment, "shared_service"),
    ("介護保険の通常の指定基準を満たしている", Establishment, "meets_care_standard"),
    ("障害福祉の通常の指定基準を満たしている", Establishment, "meets_disability_standard"),
    ("備考", Establishment, "remarks"),
)
_DIGITS = re.compile(r"[0-9]+")


def clean_row(line: int, cells: list[str] | Unreadable) -> CleanRow | Reject:
    if isinstance(cells, Unreadable):
        return Reject(line, "（行全体）", cells.reason, [])
    if len(cells) != len(HEADER):
        return Reject(line, "（行全体）", f"列の数が{len(HEADER)}ではなく{len(cells)}です。", cells)
    for name, value in zip(HEADER, cells, strict=True):
        if NUL in value:
            return Reject(line, name, NUL_REASON, cells)

    def cell(name: str) -> str:
        return cells[COLUMN[name]].strip()

    def reject(column: str, reason: str) -> Reject:
        return Reject(line, column, reason, cells)

    number = _nfkc(cell("事業所番号")).upper()
    try:
        validate_establishment_number(number)
    except ValidationError as exc:
        return reject("事業所番号", exc.messages[0])
    service = _nfkc(cell("サービスの種類"))
    if not service:
        return reject("サービスの種類", "サービスの種類が空です。")
    name = _nfkc(cell("事業所名"))
    if not name:
        return reject("事業所名", "事業所名が空です。")
    code = _nfkc(cell("都道府県コード又は市町村コード"))
    try:
        validate_municipality_code(code)
    except ValidationError as exc:
        return reject("都道府県コード又は市町村コード", exc.messages[0])
    warnings: list[Reject] = []
    corporation_number = _nfkc(cell("法人番号")).replace("-", "") or None
    if corporation_number and not is_valid_corporate_number(corporation_number):
        warnings.append(
            reject(
                "法人番号",
                f"法人番号「{corporation_number[:30]}」は13桁で検査数字が正しい番号ではないため、"
                "法人と結び付けずに取り込みました。",
            )
        )
        corporation_number = None
    try:  # a cell that is not a number is broken and rejects; an unknown place only warns
        latitude, longitude, unplaced = _location(cell("緯度"), cell("経度"))
    except ValidationError as exc:
        return reject(str(exc.code), exc.messages[0])
    if unplaced:
        warnings.append(reject("緯度・経度", unplaced))
    capacity_text = _nfkc(cell("定員"))
    capacity = None
    if capacity_text:
        # ASCII digits only: "²" and other digit-like signs pass str.isdigit() but not int().
        if not _DIGITS.fullmatch(capacity_text):
            shown = capacity_text[:30]
            return reject("定員", f"定員が0以上の整数ではありません（「{shown}」）。")
        low, high = _integer_range(Establishment, "capacity")
        if not low <= int(capacity_text) <= high:
            return reject("定員", f"定員が大きすぎます（上限{high:,}）。")
        capacity = int(capacity_text) or None  # 0 means "not entered"
    kana = _nfkc(cell("事業所名カナ"))
    address = _nfkc(cell("住所"))
    stored = {
        "都道府県名": _nfkc(cell("都道府県名")),
        "市区町村名": _nfkc(cell("市区町村名")),
        "法人の名称": _nfkc(cell("法人の名称")),
        "事業所名": name,
        "事業所名カナ": kana,
        "サービスの種類": service,
        "住所": address,
        "方書（ビル名等）": _nfkc(cell("方書（ビル名等）")),
        "電話番号": _nfkc(cell("電話番号")),
        "FAX番号": _nfkc(cell("FAX番号")),
        "URL": cell("URL"),
        "利用可能曜日": _nfkc(cell("利用可能曜日")),
        "利用可能曜日特記事項": _nfkc(cell("利用可能曜日特記事項")),
        "高齢者の方と障害者の方が同時一体的に利用できるサービス": _nfkc(
            cell("高齢者の方と障害者の方が同時一体的に利用できるサービス")
        ),
        "介護保険の通常の指定基準を満たしている": _nfkc(
            cell("介護保険の通常の指定基準を満たしている")
        ),
        "障害福祉の通常の指定基準を満たしている": _nfkc(
            cell("障害福祉の通常の指定基準を満たしている")
        ),
        "備考": cell("備考"),
    }
    # Checked after normalisation, on the value stored (NFKC may lengthen: ㍿ is 株式会社).
    for column, model, field_name in STORED_TEXT:
        problem = _text_problem(column, stored[column], model, field_name)
        if problem:
            return reject(column, problem)
    return CleanRow(
        line=line,
        cells=cells,
        municipality_code=code,
        prefecture_name=stored["都道府県名"],
        municipality_name=stored["市区町村名"],
        corporation_number=corporation_number,
        corporation_name=stored["法人の名称"],
        establishment={
            "number": number,
            "service_type": service,
            "name": name,
            "kana": kana,
            "address": address,
            "building": stored["方書（ビル名等）"],
            "latitude": latitude,
            "longitude": longitude,
            "phone": stored["電話番号"],
            "fax": stored["FAX番号"],
            "url": stored["URL"],
            "capacity": capacity,
            "available_days": stored["利用可能曜日"],
            "available_days_note": stored["利用可能曜日特記事項"],
            "shared_service": stored["高齢者の方と障害者の方が同時一体的に利用できるサービス"],
            "meets_care_standard": stored["介護保険の通常の指定基準を満たしている"],
            "meets_disability_standard": stored["障害福祉の通常の指定基準を満たしている"],
            "remarks": stored["備考"],
            "search_text": normalize(f"{name} {kana} {address} {number}"),
        },
        warnings=warnings,
    )


# --- Writing ----------------------------------------------------------------------------------
@dataclass
class BatchResult:
    """What a writer did with one batch: each row is created, updated, unchanged or reopened."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reopened: int = 0
    # Corporations named in the batch and the previous owners of changed rows: their sizes change.
    corporations: set[int] = field(default_factory=set)


# A set-based writer per database vendor (PostgreSQL: bulk_pg, registered by PartnersConfig.ready;
# bulk_pg builds on this module's checked rows, so this module never imports it). Others: the ORM.
_BATCH_WRITERS: dict[str, Callable[..., Any]] = {}


def register_batch_writer(vendor: str, writer: Callable[..., Any]) -> None:
    _BATCH_WRITERS[vendor] = writer


def _upsert_batch(rows: list[CleanRow], run: ImportRun, by, counts: Counts) -> None:
    """Write one batch in one transaction; `counts` changes only once it is committed.

    The seam between reading and writing: rows arrive parsed, validated, of the run's prefecture
    and without duplicates. A writer (`_orm_write`, or `bulk_pg.establishments_write`, the
    set-based one PostgreSQL uses) must, for each row: create or update municipality,
    corporation and establishment with history named `reason`; count it as created, updated,
    unchanged or reopened (a closed establishment listed again: closed_on cleared); set
    `last_seen_import = run` on every row, unchanged ones too (a snapshot's closing,
    `_close_absent`, reads it); return the corporations it names or leaves (their sizes are
    derived once, after the last file). The counts and heartbeat go in the same transaction.
    """
    with transaction.atomic():
        writer = _BATCH_WRITERS.get(connection.vendor, _orm_write)
        written = writer(rows, run=run, by=by)
        after = Counts(
            rows=counts.rows,
            created=counts.created + written.created,
            updated=counts.updated + written.updated,
            unchanged=counts.unchanged + written.unchanged,
            rejected=counts.rejected,
            skipped=counts.skipped,
            reopened=counts.reopened + written.reopened,
            warnings=counts.warnings,
        )
        ImportRun.objects.filter(pk=run.pk).update(**after.fields(), heartbeat_at=timezone.now())
    counts.created, counts.updated, counts.unchanged = after.created, after.updated, after.unchanged
    counts.reopened = after.reopened
    # Sizes are derived once at the end of the file (see establishments_import), not per
    # batch: a large corporation appears in every batch and would be re-aggregated each time.
    counts.corporations |= written.corporations


def _orm_write(rows: list[CleanRow], *, run: ImportRun, by) -> BatchResult:
    """The writer through the ORM (SQLite, and the reference the set-based one is tested against)."""
    reason = f"取り込み #{run.pk}（{run.file_name}）"
    unchanged: list[int] = []
    reopened = 0
    with transaction.atomic():
        codes = {r.municipality_code: r for r in rows}
        known = Municipality.objects.in_bulk(list(codes))
        new_municipalities = [
            Municipality(code=c, prefecture_name=r.prefecture_name, name=r.municipality_name)
            for c, r in codes.items()
            if c not in known
        ]
        if new_municipalities:
            bulk_create_with_history(
                new_municipalities, Municipality, default_user=by, default_change_reason=reason
            )

        names = {r.corporation_number: r.corporation_name for r in rows if r.corporation_number}
        corporations = Corporation.objects.in_bulk(list(names), field_name="number")
        new_corporations, changed_corporations = [], []
        for number, name in names.items():
            corporation = corporations.get(number)
            if corporation is None:
                new_corporations.append(
                    Corporation(
                        number=number,
                        name=name,
                        kind=corporation_kind(name),
                        search_text=normalize(f"{name} {number}"),
                    )
                )
            elif name and corporation.name != name:
                corporation.name = name
                corporation.kind = corporation_kind(name)
                corporation.search_text = normalize(f"{name} {number}")
                changed_corporations.append(corporation)
        if new_corporations:
            bulk_create_with_history(
                new_corporations, Corporation, default_user=by, default_change_reason=reason
            )
        if changed_corporations:
            bulk_update_with_history(
                changed_corporations,
                Corporation,
                ["name", "kind", "search_text"],
                default_user=by,
                default_change_reason=reason,
            )
        corporation_ids = dict(
            Corporation.objects.filter(number__in=list(names)).values_list("number", "pk")
        )

        keys = {(r.establishment["number"], r.establishment["service_type"]) for r in rows}
        existing = {
            (e.number, e.service_type): e
            for e in Establishment.objects.filter(number__in={k[0] for k in keys})
        }
        new, changed = [], []
        previous_owners = set()
        for row in rows:
            values = dict(row.establishment)
            values["corporation_id"] = (
                corporation_ids.get(row.corporation_number) if row.corporation_number else None
            )
            values["municipality_id"] = row.municipality_code
            key = (values["number"], values["service_type"])
            current = existing.get(key)
            if current is None:
                new.append(Establishment(**values, last_import=run, last_seen_import=run))
                continue
            differences = [f for f in ESTABLISHMENT_FIELDS if getattr(current, f) != values[f]]
            if not differences and current.closed_on is None:
                unchanged.append(current.pk)
                continue
            if current.closed_on is not None:  # listed again after a snapshot closed it
                reopened += 1
                current.closed_on = None
            previous_owners.add(current.corporation_id)
            for name in ESTABLISHMENT_FIELDS:
                setattr(current, name, values[name])
            current.last_import = run
            current.last_seen_import = run
            current.updated_at = timezone.now()
            changed.append(current)
        if new:
            bulk_create_with_history(
                new, Establishment, default_user=by, default_change_reason=reason
            )
        if changed:
            bulk_update_with_history(
                changed,
                Establishment,
                [
                    *ESTABLISHMENT_FIELDS,
                    "closed_on",
                    "last_import",
                    "last_seen_import",
                    "updated_at",
                ],
                default_user=by,
                default_change_reason=reason,
            )
        if unchanged:  # seen: a snapshot's closing passes them by (no history: nothing changed)
            Establishment.objects.filter(pk__in=unchanged).update(last_seen_import=run)
    return BatchResult(
        created=len(new),
        updated=len(changed) - reopened,
        unchanged=len(unchanged),
        reopened=reopened,
        corporations={pk for pk in (*corporation_ids.values(), *previous_owners) if pk is not None},
    )


def _write_batch(
    rows: list[CleanRow], run: ImportRun, by, counts: Counts, rejects: "RejectWriter"
) -> None:
    """Write a batch; should the database still refuse a value the checks let through, write its
    halves again, down to single rows, so that only the offending row is rejected and the rest of
    the file goes on (a batch of thousands with one bad row costs a few dozen writes, not one a
    row)."""
    try:
        _upsert_batch(rows, run, by, counts)
        registry_changed()  # the set-based writer sends no signal
        return
    except DataError as exc:
        if len(rows) == 1:
            (row,) = rows
            detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
            rejects.write(
                Reject(
                    row.line,
                    "（行全体）",
                    f"データベースが受け付けない値があります（{detail}）。",
                    row.cells,
                )
            )
            counts.rejected += 1
            return
    half = len(rows) // 2
    _write_batch(rows[:half], run, by, counts, rejects)
    _write_batch(rows[half:], run, by, counts, rejects)


def _rejects_path(run: ImportRun) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"run-{run.pk}-rejects.csv"


# --- Planning a run: which CSVs, in which encoding ------------------------------------------------
@dataclass
class Planned:
    source: Source
    encoding: str
    digest: str
    lines: int
    # The service types this file is the complete national file of (a snapshot closes the rest).
    services: set[str] = field(default_factory=set)


@dataclass
class Plan:
    files: list[Planned]
    skipped: list[Skipped]

    @property
    def digest(self) -> str:
        if len(self.files) == 1:
            return self.files[0].digest
        combined = hashlib.sha256()
        for planned in self.files:
            combined.update(f"{planned.source.name}\0{planned.digest}\n".encode())
        return combined.hexdigest()

    def progress_entries(self) -> list[dict]:
        """What the progress page shows per file: its rows (estimated, then counted) and done."""
        return [
            {"name": p.source.name, "rows": max(p.lines - 1, 0), "done": 0} for p in self.files
        ] + [{"name": s.name, "rows": 0, "done": 0, "skipped": s.reason} for s in self.skipped]


def _plan(paths: list[Path]) -> Plan:
    """Every CSV of the run, checked before anything is written: a named CSV that is unusable
    refuses the whole run (UnusableFile); one found in a folder or archive is skipped."""
    sources, skipped = sources_of(paths)
    files = []
    for source in sources:
        try:
            found = sniff(source)
            with source.open_text(found.encoding) as handle:
                next(_csv_records(handle, header_check=_check_header), None)
        except (UnusableFile, UnicodeDecodeError) as exc:
            reason = str(exc) if isinstance(exc, UnusableFile) else f"文字コードで読めません: {exc}"
            if source.explicit:
                prefix = f"{source.name}: " if len(sources) > 1 else ""
                raise UnusableFile(prefix + reason) from exc
            skipped.append(Skipped(source.name, reason))
            continue
        code = source.service_code
        services = {catalogue.service_name(code)} if code else set()
        files.append(Planned(source, found.encoding, found.digest, found.lines, services))
    if not files:
        reasons = "、".join(f"{s.name}（{s.reason}）" for s in skipped[:5])
        raise UnusableFile(
            "取り込める介護サービス情報公表システムのCSVがありません。" + (reasons and f"{reasons}")
        )
    return Plan(files, skipped)


def _run_name(paths: list[Path]) -> str:
    """The file, folder or archive named; the first and how many more when several are."""
    first = paths[0].name
    return first if len(paths) == 1 else f"{first} ほか{len(paths) - 1}件"


# --- The run --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """What a run imports: one prefecture's rows (None: all), as of which date, and whether the
    files are complete national files whose absent establishments are closed."""

    prefecture: str | None
    as_of: date
    snapshot: bool


def _close_absent(*, run: ImportRun, scope: Scope, services: set[str], by) -> int:
    """One set-based UPDATE: every open establishment of the files' service types (in the
    prefecture) that this run did not see is closed as of the data date; history in bulk."""
    if not services:
        return 0
    absent = Establishment.objects.listed().filter(service_type__in=sorted(services))
    if scope.prefecture:
        absent = absent.filter(municipality__prefecture_name=scope.prefecture)
    absent = absent.exclude(last_seen_import=run)
    reason = f"取り込み #{run.pk}（{run.file_name}）：最新データに掲載なし"
    with transaction.atomic():
        closed = absent.update(closed_on=scope.as_of, last_import=run, updated_at=timezone.now())
        registry_changed()
        if closed:
            # Those closed by this run: touched by it, closed, and not seen by it.
            just_closed = (
                Establishment.objects.unlisted()
                .filter(last_import=run)
                .exclude(last_seen_import=run)
                .order_by("pk")
            )
            batch: list[Establishment] = []
            for establishment in just_closed.iterator(chunk_size=2000):
                batch.append(establishment)
                if len(batch) >= 2000:
                    Establishment.history.bulk_history_create(
                        batch, update=True, default_user=by, default_change_reason=reason
                    )
                    batch = []
            if batch:
                Establishment.history.bulk_history_create(
                    batch, update=True, default_user=by, default_change_reason=reason
                )
    return closed


def establishments_import(
    *,
    path: Path | None = None,
    paths: list[Path] | tuple[Path, ...] = (),
    by=None,
    prefecture: str | None = None,
    all_prefectures: bool = False,
    as_of: date | None = None,
    snapshot: bool = False,
    rejects_path: Path | None = None,
    display_name: str | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int | None = None,
    run: ImportRun | None = None,
) -> ImportRun:
    """Import open-data CSVs (files, folders, ZIP archives) as one run; raises UnusableFile
    (after recording the run) when nothing can be imported or a named CSV is unusable.

    `prefecture` defaults to the portal's (PORTAL_PREFECTURE); `all_prefectures` imports every
    row. `as_of` defaults to the date the file names propose. `run` is the record of a browser
    upload, written before its task was enqueued. `progress(percent)` is called after each batch.
    """
    every = [Path(p) for p in ([path] if path is not None else []) + list(paths)]
    _sweep_before_start()
    try:
        plan = _plan(every)
    except UnusableFile as exc:
        name = display_name or (every[0].name if every else "")
        _run_fail(
            run=run, kind="establishments", name=fit_to_column(ImportRun, "file_name", name),
            by=by, message=str(exc),
        )  # fmt: skip
        raise
    name = fit_to_column(ImportRun, "file_name", display_name or _run_name(every))
    scope = Scope(
        prefecture=None if all_prefectures else (prefecture or settings.PORTAL_PREFECTURE),
        as_of=as_of or proposed_as_of([p.source.base_name for p in plan.files]),
        snapshot=snapshot,
    )
    sources = plan.progress_entries()
    run = _run_start(
        run=run, kind="establishments", name=name, digest=plan.digest, by=by,
        as_of=scope.as_of, prefecture=scope.prefecture or "", snapshot=scope.snapshot,
        sources=sources,
    )  # fmt: skip
    if batch_size is None:
        batch_size = BATCH_SIZE_SET_BASED if connection.vendor == "postgresql" else BATCH_SIZE
    counts = Counts()
    rejects = RejectWriter(rejects_path or _rejects_path(run))
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    heartbeat = Heartbeat(run, sources=sources)
    services: set[str] = set()
    encoding = ""
    # The service and prefecture columns hold a few dozen distinct values in 250,000 rows: each
    # is normalised once (the prefecture filter reads every row of every prefecture).
    normalized_values: dict[str, str] = {}

    def normalized(value: str) -> str:
        found = normalized_values.get(value)
        if found is None:
            found = normalized_values[value] = _nfkc(value)
        return found

    try:
        for planned, entry in zip(plan.files, sources, strict=False):
            encoding = planned.encoding
            rejects.source = planned.source.name
            batch: list[CleanRow] = []
            listed: set[str] = set()
            for line, cells in read_rows(planned.source, planned.encoding):
                counts.rows += 1
                entry["done"] += 1
                if not counts.rows & 1023:
                    heartbeat(counts)
                if isinstance(cells, list) and len(cells) == len(HEADER):
                    listed.add(normalized(cells[SERVICE_COLUMN]))
                    if (
                        scope.prefecture
                        and normalized(cells[PREFECTURE_COLUMN]) != scope.prefecture
                    ):
                        counts.skipped += 1  # counted, not checked
                        continue
                result = clean_row(line, cells)
                if isinstance(result, Reject):
                    rejects.write(result)
                    counts.rejected += 1
                    continue
                key = (result.establishment["number"], result.establishment["service_type"])
                if key in seen:
                    where, first = seen[key]
                    place = (
                        f"{first}行目" if where == planned.source.name else f"{where}の{first}行目"
                    )
                    rejects.write(
                        Reject(
                            line,
                            "事業所番号",
                            f"{place}と同じ事業所番号・サービスの行です。",
                            result.cells,
                        )
                    )
                    counts.rejected += 1
                    continue
                seen[key] = (planned.source.name, line)
                for warning in result.warnings:
                    rejects.write(warning, kind=WARNING)
                    counts.warnings += 1
                batch.append(result)
                if len(batch) >= batch_size:
                    _write_batch(batch, run, by, counts, rejects)
                    batch = []
                    heartbeat(counts, force=True)
                    if progress:
                        progress(min(99, counts.rows * 100 // max(_total(sources), 1)))
            if batch:
                _write_batch(batch, run, by, counts, rejects)
            entry["rows"] = entry["done"]  # now counted, not estimated
            heartbeat(counts, force=True)
            # A file without a service code in its name is the complete file of what it lists.
            services |= planned.services or listed
        if scope.snapshot:
            counts.closed = _close_absent(run=run, scope=scope, services=services, by=by)
        ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
        # Every corporation named in the files, changed or not: after an interrupted run, the
        # rerun finds its rows unchanged but still completes the sizes the first run did not reach.
        if counts.closed:
            closed_owners = (
                Establishment.objects.filter(last_import=run)
                .exclude(corporation=None)
                .values_list("corporation_id", flat=True)
                .distinct()
            )
            counts.corporations |= set(closed_owners)
        corporations_refresh_size(ids=counts.corporations)
    except UnusableFile as exc:  # the header: nothing was written
        _run_fail(run=run, kind="establishments", name=name, by=by, message=str(exc))
        raise
    except UnicodeDecodeError as exc:
        message = f"文字コード（{encoding}）で読めない箇所があります: {exc.reason}"
        _run_fail(run=run, kind="establishments", name=name, by=by, message=message)
        raise UnusableFile(message) from exc
    except BaseException as exc:  # an error, Ctrl-C, SIGTERM, a task's time limit
        _mark_stopped(run, exc, counts)
        raise
    finally:
        rejects.close()
    target = str(rejects.path) if rejects.count else ""
    encodings = "、".join(sorted({p.encoding for p in plan.files}))
    notes = [f"文字コード: {encodings}"]
    if plan.skipped:
        notes.append(f"読み飛ばしたファイル {len(plan.skipped)}件")
    return _run_done(run, counts, rejects_file=target, message="／".join(notes), sources=sources)


def _total(sources: list[dict]) -> int:
    return sum(s["rows"] for s in sources if not s.get("skipped"))


class RejectWriter:
    """Writes warnings and rejected rows as they come (memory stays bounded); the file exists
    only if needed.

    UTF-8 with BOM so Excel opens it; line, kind (警告: kept, 取り込めず: not imported), column,
    reason and file come before the original cells.
    """

    def __init__(self, path: Path, header: tuple[str, ...] = HEADER):
        self.path = path
        self.header = header
        self.count = 0
        self.source = ""  # the file the rows come from
        self._handle: TextIO | None = None
        self._writer: Any = None

    def write(self, reject: Reject, *, kind: str = REJECTED) -> None:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv_writer(self._handle)
            self._writer.writerow(["行番号", "種別", "列", "理由", "ファイル", *self.header])
        self._writer.writerow(
            [reject.line, kind, reject.column, reject.reason, self.source, *reject.values]
        )
        self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


# --- Provider profiles (the window's survey) ------------------------------------------------------
PROFILE_HEADER = ("法人番号", "課題", "関心テーマ", "マッチング同意", "担当者", "連絡先")
YES = {"はい", "同意", "同意する", "あり", "有", "○", "〇", "yes", "y", "true", "1"}
NO = {"いいえ", "不同意", "同意しない", "なし", "無", "×", "no", "n", "false", "0", ""}
_SPLIT = re.compile(r"[;；、,，/／\n]+")


class _XlsxTooBig(Exception):
    pass


def _too_many_rows() -> UnusableFile:
    return UnusableFile(
        f"行が多すぎます（見出しを除いて上限{settings.IMPORT_PROFILES_MAX_ROWS:,}行）。"
        "ファイルを分けて取り込んでください（Excelでは、書式だけが残った空の行も数えます）。"
    )


def _scan_sheet(stream: IO[bytes], *, name: str, max_row: int, max_columns: int) -> None:
    """Walk a worksheet's XML with expat (constant memory) and stop at the first row past the
    row cap or with more cells than the column cap, before openpyxl builds anything from it."""
    row = 0
    cells = 0

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal row, cells
        local = tag.rpartition(" ")[2]
        if local == "row":
            number = attrs.get("r", "")
            row = int(number) if number.isascii() and number.isdigit() else row + 1
            cells = 0
            if row > max_row:
                raise _too_many_rows()
        elif local == "c":
            cells += 1
            if cells > max_columns:
                raise UnusableFile(
                    f"{row:,}行目の列が多すぎます（上限{max_columns:,}列）。"
                    f"必要な{len(PROFILE_HEADER)}列だけを残してから取り込んでください。"
                )

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    try:
        while chunk := stream.read(1 << 16):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise UnusableFile(f"Excelファイルの中身（{name}）を読めません: {exc}") from exc


def _check_xlsx(path: Path) -> None:
    """Refuse a zip bomb: the members' uncompressed size, then every sheet's rows and cells."""
    limit = settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = sum(member.file_size for member in members)
            if total > limit:
                raise UnusableFile(
                    f"Excelファイルを展開すると大きすぎます（{total / MB:,.1f}MB、上限{limit / MB:,.0f}MB）。"
                    "ファイルを分けるか、不要なシートや書式を削除してください。"
                )
            for member in members:
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(
                    ".xml"
                ):
                    with archive.open(member) as stream:
                        _scan_sheet(
                            stream,
                            name=member.filename,
                            max_row=settings.IMPORT_PROFILES_MAX_ROWS + 1,  # and the header
                            max_columns=settings.IMPORT_XLSX_MAX_COLUMNS,
                        )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise UnusableFile(f"Excelファイルとして開けません: {exc}") from exc


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str] | Unreadable]]:
    from openpyxl import load_workbook

    _check_xlsx(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise UnusableFile(f"Excelファイルとして開けません: {exc}") from exc
    try:
        # Only the known columns, and never past the row cap, whatever the sheet declares.
        rows = book.worksheets[0].iter_rows(
            max_row=settings.IMPORT_PROFILES_MAX_ROWS + 2,
            max_col=len(PROFILE_HEADER),
            values_only=True,
        )
        header = [str(c or "").strip() for c in next(rows, ())]
        if tuple(header[: len(PROFILE_HEADER)]) != PROFILE_HEADER:
            raise UnusableFile(f"見出し行は「{'、'.join(PROFILE_HEADER)}」の順にしてください。")
        for index, values in enumerate(rows, start=2):
            if index > settings.IMPORT_PROFILES_MAX_ROWS + 1:
                raise _too_many_rows()
            cells = ["" if v is None else str(v).strip() for v in values[: len(PROFILE_HEADER)]]
            if any(cells):
                yield index, cells + [""] * (len(PROFILE_HEADER) - len(cells))
    except UnusableFile:
        raise
    except Exception as exc:  # a sheet openpyxl cannot parse
        raise UnusableFile(f"Excelファイルを読めません: {exc}") from exc
    finally:
        book.close()


def _check_profile_header(header: list[str]) -> None:
    if tuple(unicodedata.normalize("NFKC", c).strip() for c in header) != PROFILE_HEADER:
        raise UnusableFile(f"見出し行は「{'、'.join(PROFILE_HEADER)}」の順にしてください。")


def _profile_rows(path: Path) -> Iterator[tuple[int, list[str] | Unreadable]]:
    """Rows of a profile file, CSV (any of our encodings) or XLSX; checks the header first."""
    if path.suffix.lower() == ".xlsx":
        yield from _xlsx_rows(path)
        return
    encoding, _digest, _lines = sniff_file(path)
    with path.open(encoding=encoding, newline="") as handle:
        for count, record in enumerate(
            _csv_records(handle, header_check=_check_profile_header), start=1
        ):
            if count > settings.IMPORT_PROFILES_MAX_ROWS:
                raise _too_many_rows()
            yield record


def _profile_file_digest(path: Path) -> str:
    limit = settings.IMPORT_PROFILES_MAX_BYTES
    size = path.stat().st_size
    if size > limit:
        raise UnusableFile(
            f"ファイルが大きすぎます（{size / MB:,.1f}MB、上限{limit / MB:,.0f}MB）。"
            "ファイルを分けて取り込んでください。"
        )
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _profile_problem(
    cells: list[str], corporation: Corporation | None, number: str
) -> tuple[str, str] | None:
    for column, value in zip(PROFILE_HEADER, cells, strict=True):
        if NUL in value:
            return column, NUL_REASON
    if not is_valid_corporate_number(number):
        return (
            "法人番号",
            f"法人番号「{number[:30]}」は13桁で検査数字が正しい番号ではありません。",
        )
    if corporation is None:
        return (
            "法人番号",
            f"法人番号「{number}」の法人は台帳にありません。先に事業所データを取り込んでください。",
        )
    return None


def profiles_import(*, path: Path, by=None, rejects_path: Path | None = None) -> ImportRun:
    """Import the window's survey of intentions; same rules as the establishment import."""
    from partners.models import Challenge, ProviderProfile, Theme

    path = Path(path)
    name = fit_to_column(ImportRun, "file_name", path.name)
    _sweep_before_start()
    try:
        digest = _profile_file_digest(path)
        rows = list(_profile_rows(path))  # capped in size and rows; the header is checked first
    except (UnusableFile, OSError) as exc:
        message = str(exc) if isinstance(exc, UnusableFile) else f"ファイルを読めません: {exc}"
        _run_fail(run=None, kind="profiles", name=name, by=by, message=message)
        raise UnusableFile(fit_to_column(ImportRun, "message", message)) from exc
    run = _run_start(run=None, kind="profiles", name=name, digest=digest, by=by)
    # Labels and codes both work, compared after the same NFKC normalisation as the cells.
    challenges = {_nfkc(key): c for c in Challenge.objects.all() for key in (c.label, c.code)}
    themes = {_nfkc(key): t for t in Theme.objects.all() for key in (t.label, t.code)}
    # One query for every corporation the file names, instead of one per row.
    numbers = {_nfkc(cells[0]).replace("-", "") for _line, cells in rows if isinstance(cells, list)}
    corporations = Corporation.objects.in_bulk(
        [n for n in numbers if NUL not in n and is_valid_corporate_number(n)], field_name="number"
    )
    counts = Counts()
    rejects = RejectWriter(rejects_path or _rejects_path(run), PROFILE_HEADER)
    reason = f"プロフィール取り込み #{run.pk}（{run.file_name}）"
    heartbeat = Heartbeat(run)
    try:
        for line, cells in rows:
            counts.rows += 1
            heartbeat(counts)
            if isinstance(cells, Unreadable):
                rejects.write(Reject(line, "（行全体）", cells.reason, []))
                counts.rejected += 1
                continue
            if len(cells) != len(PROFILE_HEADER):
                rejects.write(
                    Reject(
                        line,
                        "（行全体）",
                        f"列の数が{len(PROFILE_HEADER)}ではなく{len(cells)}です。",
                        cells,
                    )
                )
                counts.rejected += 1
                continue
            number = _nfkc(cells[0]).replace("-", "")
            corporation = None
            if NUL not in number and is_valid_corporate_number(number):
                corporation = corporations.get(number)
            problem = _profile_problem(cells, corporation, number)
            chosen_challenges: list = []
            chosen_themes: list = []
            for column, raw, vocabulary, out in (
                ("課題", cells[1], challenges, chosen_challenges),
                ("関心テーマ", cells[2], themes, chosen_themes),
            ):
                for word in filter(None, (_nfkc(w) for w in _SPLIT.split(raw or ""))):
                    if word not in vocabulary:
                        allowed = "、".join(sorted({v.label for v in vocabulary.values()}))
                        problem = problem or (
                            column,
                            f"「{word[:50]}」は選択肢にありません（{allowed}）。",
                        )
                    else:
                        out.append(vocabulary[word])
            consent_text = _nfkc(cells[3]).lower()
            if consent_text not in YES | NO:
                problem = problem or (
                    "マッチング同意",
                    f"「{cells[3][:30]}」は はい／いいえ のどちらかにしてください。",
                )
            wanted = {
                "consent_matching": consent_text in YES,
                "contact_person": _nfkc(cells[4]),
                "contact": _nfkc(cells[5]),
            }
            for column, field_name in (("担当者", "contact_person"), ("連絡先", "contact")):
                text_problem = _text_problem(
                    column, str(wanted[field_name]), ProviderProfile, field_name
                )
                if text_problem:
                    problem = problem or (column, text_problem)
            if problem or corporation is None:
                column, why = problem or ("法人番号", "法人が見つかりません。")
                rejects.write(Reject(line, column, why, cells))
                counts.rejected += 1
                continue
            try:
                created = _profile_write(
                    corporation=corporation,
                    wanted=wanted,
                    challenges=chosen_challenges,
                    themes=chosen_themes,
                    by=by,
                    reason=reason,
                )
            except DataError as exc:  # a value the checks let through: this row only
                detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
                rejects.write(
                    Reject(
                        line,
                        "（行全体）",
                        f"データベースが受け付けない値があります（{detail}）。",
                        cells,
                    )
                )
                counts.rejected += 1
                continue
            if created is None:
                counts.unchanged += 1
            elif created:
                counts.created += 1
            else:
                counts.updated += 1
    except BaseException as exc:  # an error, Ctrl-C, SIGTERM
        _mark_stopped(run, exc, counts)
        raise
    finally:
        rejects.close()
    return _run_done(
        run, counts, rejects_file=str(rejects.path) if rejects.count else "", message=""
    )


def _profile_write(*, corporation, wanted, challenges, themes, by, reason) -> bool | None:
    """Create or update one profile in its own transaction: True created, False updated, None
    unchanged."""
    from partners.models import ProviderProfile

    with transaction.atomic():
        profile, created = ProviderProfile.objects.get_or_create(corporation=corporation)
        same = (
            not created
            and all(getattr(profile, k) == v for k, v in wanted.items())
            and {c.pk for c in profile.challenges.all()} == {c.pk for c in challenges}
            and {t.pk for t in profile.themes.all()} == {t.pk for t in themes}
        )
        if same:
            return None
        profile.skip_history_when_saving = True  # type: ignore[attr-defined]
        for key, value in wanted.items():
            setattr(profile, key, value)
        profile.save()
        profile.challenges.set(challenges)
        profile.themes.set(themes)
        del profile.skip_history_when_saving  # type: ignore[attr-defined]
        with_actor(profile, by, reason).save()
    return created


# --- Uploads in the browser -------------------------------------------------------------------------
UPLOAD_MAX_BYTES = 200 * 1024 * 1024  # per file
UPLOAD_MAX_TOTAL_BYTES = 600 * 1024 * 1024  # per upload (a whole snapshot as 35 CSVs)
UPLOAD_SUFFIXES = (".csv", ".zip")
# The Celery task that imports an upload registers itself here (partners/tasks.py, loaded by
# PartnersConfig.ready()), so that this service never imports the task module back.
_upload_runner: Callable[[int], Any] | None = None


def register_upload_runner(runner: Callable[[int], Any]) -> None:
    global _upload_runner  # noqa: PLW0603 - one registry slot, written once at start-up
    _upload_runner = runner


def _enqueue_upload(run_id: int) -> None:
    if _upload_runner is None:
        raise RuntimeError("No upload runner registered: is partners.tasks loaded?")
    _upload_runner(run_id)


def upload_folder(run: ImportRun) -> Path:
    """Where the files of an upload wait for the worker (one folder per run)."""
    return Path(settings.MEDIA_ROOT) / "imports" / "uploads" / f"run-{run.pk}"


def _stored_name(name: str, taken: set[str]) -> str:
    """A safe file name in the run's folder: no path, no NUL, short, unique, suffix kept."""
    path = Path(name.replace(NUL, "").replace("\\", "/"))
    stem = re.sub(r"[^\w.\-]", "_", path.stem)[:80] or "file"
    stored = f"{stem}{path.suffix.lower()}"
    index = 2
    while stored in taken:
        stored = f"{stem}-{index}{path.suffix.lower()}"
        index += 1
    taken.add(stored)
    return stored


def import_upload(
    *,
    uploaded,
    by,
    as_of: date | None = None,
    snapshot: bool | None = None,
    all_prefectures: bool = False,
) -> ImportRun:
    """Keep uploaded open-data files (CSVs and ZIP archives; several make one run) and enqueue
    their import once the record is committed.

    `as_of` None: the date the file names propose; `snapshot` None: a snapshot when a ZIP
    archive is among the files (a whole snapshot comes as one), otherwise not.
    """
    files = list(uploaded) if isinstance(uploaded, list | tuple) else [uploaded]
    if not files:
        raise ValidationError("ファイルを選んでください。")
    names = [Path(f.name.replace(NUL, "")).name for f in files]
    for name in names:
        if not name.lower().endswith(UPLOAD_SUFFIXES):
            raise ValidationError(
                "CSVファイル（.csv）かZIPファイル（.zip）を選んでください。"
                f"「{fit_to_column(ImportRun, 'file_name', name)[:60]}」は取り込めません。"
            )
    if any(f.size > UPLOAD_MAX_BYTES for f in files):
        raise ValidationError(
            f"ファイルが大きすぎます（1ファイルの上限 {UPLOAD_MAX_BYTES // 1024 // 1024}MB）。分けてアップロードしてください。"
        )
    if sum(f.size for f in files) > UPLOAD_MAX_TOTAL_BYTES:
        raise ValidationError(
            f"ファイルの合計が大きすぎます（上限 {UPLOAD_MAX_TOTAL_BYTES // 1024 // 1024}MB）。分けてアップロードしてください。"
        )
    if snapshot is None:
        snapshot = any(n.lower().endswith(".zip") for n in names)
    shown = names[0] if len(names) == 1 else f"{names[0]} ほか{len(names) - 1}件"
    with transaction.atomic():
        run = _run_queue(
            name=fit_to_column(ImportRun, "file_name", shown),
            by=by,
            as_of=as_of or proposed_as_of(names),
            snapshot=snapshot,
            prefecture="" if all_prefectures else settings.PORTAL_PREFECTURE,
            sources=[{"name": n, "rows": 0, "done": 0} for n in names],
        )
        folder = upload_folder(run)
        folder.mkdir(parents=True, exist_ok=True)
        taken: set[str] = set()
        for upload, name in zip(files, names, strict=True):
            with (folder / _stored_name(name, taken)).open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
        transaction.on_commit(lambda: _enqueue_upload(run.pk))
    return run


def import_run_upload(*, run_id: int) -> ImportRun | None:
    """Import a queued upload; a second delivery of a finished run changes nothing, one of an
    interrupted run (its worker was killed) completes it, and one that arrives while another
    worker is still on the run (its heartbeat is fresh) leaves it to that worker."""
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None or run.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return run
    folder = upload_folder(run)
    if folder.is_dir():
        paths = sorted(p for p in folder.iterdir() if p.is_file())
    elif run.upload:  # an upload kept before runs had a folder
        paths = [Path(run.upload.path)]
    else:
        return run
    if run.status == ImportStatus.RUNNING and run.heartbeat_at:
        fresh_since = timezone.now() - timedelta(seconds=settings.IMPORT_RUN_STALE_SECONDS)
        if run.heartbeat_at >= fresh_since:
            return run
    try:
        return establishments_import(
            paths=paths,
            by=run.started_by,
            prefecture=run.prefecture or None,
            all_prefectures=not run.prefecture,
            as_of=run.as_of,
            snapshot=run.snapshot,
            display_name=run.file_name,
            run=run,
        )
    except UnusableFile:
        return ImportRun.objects.get(pk=run_id)
