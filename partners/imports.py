"""Import of the national 介護サービス情報公表システム open data (one CSV per service type).

Streams the file in batches (bounded memory), upserts idempotently, never lets a bad row stop the
good ones (each goes to a reject CSV with its line, column and a Japanese reason), commits batch by
batch so an interrupted run leaves the database consistent and a rerun completes it, and records
every run with its file, hash, counts and who started it.
"""

import codecs
import csv
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from partners.models import (
    Corporation,
    CorporationKind,
    Establishment,
    ImportRun,
    ImportStatus,
    Municipality,
)
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


class UnusableFile(Exception):
    """The file cannot be imported at all (unreadable, or not the national format)."""


@dataclass
class Reject:
    line: int
    column: str
    reason: str
    values: list[str]


@dataclass
class CleanRow:
    line: int
    municipality_code: str
    prefecture_name: str
    municipality_name: str
    corporation_number: str | None
    corporation_name: str
    establishment: dict = field(default_factory=dict)


@dataclass
class Counts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    corporations: set[int] = field(default_factory=set)  # ids named in the file


# --- Reading ----------------------------------------------------------------------------------
def sniff_file(path: Path) -> tuple[str, str, int]:
    """Encoding (UTF-8 with or without BOM, or cp932), SHA-256 and line count, in one pass."""
    digest = hashlib.sha256()
    # Both decodings are tried over the whole file, so that a file readable in neither is
    # refused before anything is written.
    decoders = {
        "utf-8": codecs.getincrementaldecoder("utf-8")(),
        "cp932": codecs.getincrementaldecoder("cp932")(),
    }
    first = b""
    lines = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                if not first:
                    first = chunk[:3]
                digest.update(chunk)
                lines += chunk.count(b"\n")
                for name, decoder in list(decoders.items()):
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        del decoders[name]
        for name, decoder in list(decoders.items()):
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                del decoders[name]
    except OSError as exc:
        raise UnusableFile(f"ファイルを読めません: {exc.strerror or exc}") from exc
    if not decoders:
        raise UnusableFile("文字コードがUTF-8でもShift_JIS（cp932）でもないため読めません。")
    if "utf-8" in decoders:
        encoding = "utf-8-sig" if first.startswith(codecs.BOM_UTF8) else "utf-8"
    else:
        encoding = "cp932"
    return encoding, digest.hexdigest(), lines


def _same_header(cells: list[str]) -> bool:
    return [unicodedata.normalize("NFKC", c).strip() for c in cells] == [
        unicodedata.normalize("NFKC", c) for c in HEADER
    ]


def read_rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, cells) for every data row; checks the header first."""
    try:
        handle = path.open(encoding=encoding, newline="", errors="strict")
    except OSError as exc:
        raise UnusableFile(f"ファイルを開けません: {exc.strerror or exc}") from exc
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise UnusableFile("ファイルが空です。") from None
        except (UnicodeDecodeError, csv.Error) as exc:
            raise UnusableFile(f"見出し行を読めません: {exc}") from exc
        if not _same_header(header):
            raise UnusableFile(
                "見出し行が介護サービス情報公表システムのオープンデータ（24列）と一致しません。"
                f"1列目は「{header[0] if header else ''}」でした。"
            )
        start = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield start, ["__csv_error__", str(exc)]
                start = reader.line_num + 1
                continue
            if any(cell.strip() for cell in cells):
                yield start, cells
            start = reader.line_num + 1


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


def _coordinate(value: str, low: int, high: int, label: str) -> Decimal | None:
    value = _nfkc(value)
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValidationError(f"{label}が数値ではありません（「{value}」）。") from None
    if not low <= number <= high:
        raise ValidationError(f"{label}が日本の範囲（{low}～{high}）にありません（{value}）。")
    return number.quantize(Decimal("0.000001"))


def clean_row(line: int, cells: list[str]) -> CleanRow | Reject:
    if cells and cells[0] == "__csv_error__":
        return Reject(line, "（行全体）", f"CSVとして読めない行です: {cells[1]}", cells)
    if len(cells) != len(HEADER):
        return Reject(line, "（行全体）", f"列の数が{len(HEADER)}ではなく{len(cells)}です。", cells)

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
    corporation_number = _nfkc(cell("法人番号")).replace("-", "") or None
    if corporation_number and not is_valid_corporate_number(corporation_number):
        return reject(
            "法人番号",
            f"法人番号「{corporation_number}」は13桁で検査数字が正しい番号ではありません。",
        )
    try:
        latitude = _coordinate(cell("緯度"), 20, 46, "緯度")
    except ValidationError as exc:
        return reject("緯度", exc.messages[0])
    try:
        longitude = _coordinate(cell("経度"), 122, 154, "経度")
    except ValidationError as exc:
        return reject("経度", exc.messages[0])
    capacity_text = _nfkc(cell("定員"))
    capacity = None
    if capacity_text:
        if not capacity_text.isdigit():
            return reject("定員", f"定員が0以上の整数ではありません（「{capacity_text}」）。")
        capacity = int(capacity_text) or None  # 0 means "not entered"
    kana = _nfkc(cell("事業所名カナ"))
    address = _nfkc(cell("住所"))
    return CleanRow(
        line=line,
        municipality_code=code,
        prefecture_name=_nfkc(cell("都道府県名")),
        municipality_name=_nfkc(cell("市区町村名")),
        corporation_number=corporation_number,
        corporation_name=_nfkc(cell("法人の名称")),
        establishment={
            "number": number,
            "service_type": service,
            "name": name,
            "kana": kana,
            "address": address,
            "building": _nfkc(cell("方書（ビル名等）")),
            "latitude": latitude,
            "longitude": longitude,
            "phone": _nfkc(cell("電話番号")),
            "fax": _nfkc(cell("FAX番号")),
            "url": cell("URL"),
            "capacity": capacity,
            "available_days": _nfkc(cell("利用可能曜日")),
            "available_days_note": _nfkc(cell("利用可能曜日特記事項")),
            "shared_service": _nfkc(cell("高齢者の方と障害者の方が同時一体的に利用できるサービス")),
            "meets_care_standard": _nfkc(cell("介護保険の通常の指定基準を満たしている")),
            "meets_disability_standard": _nfkc(cell("障害福祉の通常の指定基準を満たしている")),
            "remarks": cell("備考"),
            "search_text": normalize(f"{name} {kana} {address} {number}"),
        },
    )


# --- Writing ----------------------------------------------------------------------------------
def _upsert_batch(rows: list[CleanRow], run: ImportRun, by, counts: Counts) -> None:
    reason = f"取り込み #{run.pk}（{run.file_name}）"
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
                new.append(Establishment(**values, last_import=run))
                continue
            differences = [f for f in ESTABLISHMENT_FIELDS if getattr(current, f) != values[f]]
            if not differences:
                counts.unchanged += 1
                continue
            previous_owners.add(current.corporation_id)
            for name in ESTABLISHMENT_FIELDS:
                setattr(current, name, values[name])
            current.last_import = run
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
                [*ESTABLISHMENT_FIELDS, "last_import", "updated_at"],
                default_user=by,
                default_change_reason=reason,
            )
        counts.created += len(new)
        counts.updated += len(changed)
        # Sizes are derived once at the end of the file (see establishments_import), not per
        # batch: a large corporation appears in every batch and would be re-aggregated each time.
        counts.corporations |= {
            pk for pk in (*corporation_ids.values(), *previous_owners) if pk is not None
        }
        ImportRun.objects.filter(pk=run.pk).update(
            rows=counts.rows,
            created=counts.created,
            updated=counts.updated,
            unchanged=counts.unchanged,
            rejected=counts.rejected,
        )


def _rejects_path(run: ImportRun) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"run-{run.pk}-rejects.csv"


def establishments_import(
    *,
    path: Path,
    by=None,
    rejects_path: Path | None = None,
    display_name: str | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    run: ImportRun | None = None,
) -> ImportRun:
    """Import one open-data CSV; raises UnusableFile (after recording the run) for a bad file.

    `run` is the record of a browser upload, written before its task was enqueued.
    """
    path = Path(path)
    name = display_name or path.name
    try:
        encoding, digest, total_lines = sniff_file(path)
    except UnusableFile as exc:
        failed = {"status": ImportStatus.FAILED, "finished_at": timezone.now(), "message": str(exc)}
        if run is not None:
            ImportRun.objects.filter(pk=run.pk).update(**failed)
        else:
            ImportRun.objects.create(file_name=name, file_hash="", started_by=by, **failed)
        raise
    if run is None:
        run = ImportRun.objects.create(file_name=name, file_hash=digest, started_by=by)
    else:
        ImportRun.objects.filter(pk=run.pk).update(
            file_hash=digest, status=ImportStatus.RUNNING, progress=0
        )
    counts = Counts()
    rejects = RejectWriter(rejects_path or _rejects_path(run))
    seen: dict[tuple[str, str], int] = {}
    try:
        batch: list[CleanRow] = []
        rows = read_rows(path, encoding)
        for line, cells in rows:
            counts.rows += 1
            result = clean_row(line, cells)
            if isinstance(result, Reject):
                rejects.write(result)
                counts.rejected += 1
                continue
            key = (result.establishment["number"], result.establishment["service_type"])
            if key in seen:
                rejects.write(
                    Reject(
                        line,
                        "事業所番号",
                        f"{seen[key]}行目と同じ事業所番号・サービスの行です。",
                        cells,
                    )
                )
                counts.rejected += 1
                continue
            seen[key] = line
            batch.append(result)
            if len(batch) >= batch_size:
                _upsert_batch(batch, run, by, counts)
                batch = []
                if progress:
                    progress(min(99, int(line * 100 / max(total_lines, 1))))
        if batch:
            _upsert_batch(batch, run, by, counts)
        # Every corporation named in the file, changed or not: after an interrupted run, the rerun
        # finds its rows unchanged but still completes the sizes the first run did not reach.
        from partners.services import corporations_refresh_size

        corporations_refresh_size(ids=counts.corporations)
    except UnusableFile as exc:
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(), message=str(exc)
        )
        raise
    except UnicodeDecodeError as exc:
        message = f"文字コード（{encoding}）で読めない箇所があります: {exc.reason}"
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(), message=message
        )
        raise UnusableFile(message) from exc
    finally:
        rejects.close()
    target = str(rejects.path) if rejects.count else ""
    run.refresh_from_db()
    run.status = ImportStatus.DONE
    run.finished_at = timezone.now()
    run.rows, run.created, run.updated = counts.rows, counts.created, counts.updated
    run.unchanged, run.rejected, run.rejects_file = counts.unchanged, counts.rejected, target
    run.message = f"文字コード: {encoding}"
    run.progress = 100
    run.save()
    return run


class RejectWriter:
    """Writes rejected rows as they come (memory stays bounded); the file exists only if needed.

    UTF-8 with BOM so Excel opens it; the original cells follow line, column and reason.
    """

    def __init__(self, path: Path, header: tuple[str, ...] = HEADER):
        self.path = path
        self.header = header
        self.count = 0
        self._handle: TextIO | None = None
        self._writer: Any = None

    def write(self, reject: Reject) -> None:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv_writer(self._handle)
            self._writer.writerow(["行番号", "列", "理由", *self.header])
        self._writer.writerow([reject.line, reject.column, reject.reason, *reject.values])
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


def _profile_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Rows of a profile file, CSV (any of our encodings) or XLSX; checks the header first."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise UnusableFile(f"Excelファイルとして開けません: {exc}") from exc
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(c or "").strip() for c in next(rows, ())]
        if tuple(header[: len(PROFILE_HEADER)]) != PROFILE_HEADER:
            raise UnusableFile(f"見出し行は「{'、'.join(PROFILE_HEADER)}」の順にしてください。")
        for index, values in enumerate(rows, start=2):
            cells = ["" if v is None else str(v).strip() for v in values[: len(PROFILE_HEADER)]]
            if any(cells):
                yield index, cells + [""] * (len(PROFILE_HEADER) - len(cells))
        book.close()
        return
    encoding, _digest, _lines = sniff_file(path)
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        header = [unicodedata.normalize("NFKC", c).strip() for c in next(reader, [])]
        if tuple(header) != PROFILE_HEADER:
            raise UnusableFile(f"見出し行は「{'、'.join(PROFILE_HEADER)}」の順にしてください。")
        start = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                yield start, cells
            start = reader.line_num + 1


def profiles_import(*, path: Path, by=None, rejects_path: Path | None = None) -> ImportRun:
    """Import the window's survey of intentions; same rules as the establishment import."""
    from partners.models import Challenge, ProviderProfile, Theme

    path = Path(path)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        rows = list(_profile_rows(path))  # survey files are small; the header is checked first
    except (UnusableFile, OSError) as exc:
        message = str(exc) if isinstance(exc, UnusableFile) else f"ファイルを読めません: {exc}"
        ImportRun.objects.create(
            kind="profiles", file_name=path.name, file_hash="", started_by=by,
            status=ImportStatus.FAILED, finished_at=timezone.now(), message=message,
        )  # fmt: skip
        raise UnusableFile(message) from exc
    run = ImportRun.objects.create(
        kind="profiles", file_name=path.name, file_hash=digest, started_by=by
    )
    # Labels and codes both work, compared after the same NFKC normalisation as the cells.
    challenges = {_nfkc(key): c for c in Challenge.objects.all() for key in (c.label, c.code)}
    themes = {_nfkc(key): t for t in Theme.objects.all() for key in (t.label, t.code)}
    counts = Counts()
    rejects = RejectWriter(rejects_path or _rejects_path(run), PROFILE_HEADER)
    reason = f"プロフィール取り込み #{run.pk}（{run.file_name}）"
    try:
        for line, cells in rows:
            counts.rows += 1
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
            corporation = Corporation.objects.filter(number=number).first()
            problem = None
            if not is_valid_corporate_number(number):
                problem = (
                    "法人番号",
                    f"法人番号「{number}」は13桁で検査数字が正しい番号ではありません。",
                )
            elif corporation is None:
                problem = (
                    "法人番号",
                    f"法人番号「{number}」の法人は台帳にありません。先に事業所データを取り込んでください。",
                )
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
                            f"「{word}」は選択肢にありません（{allowed}）。",
                        )
                    else:
                        out.append(vocabulary[word])
            consent_text = _nfkc(cells[3]).lower()
            if consent_text not in YES | NO:
                problem = problem or (
                    "マッチング同意",
                    f"「{cells[3]}」は はい／いいえ のどちらかにしてください。",
                )
            if problem:
                rejects.write(Reject(line, problem[0], problem[1], cells))
                counts.rejected += 1
                continue
            with transaction.atomic():
                profile, created = ProviderProfile.objects.get_or_create(corporation=corporation)
                wanted = {
                    "consent_matching": consent_text in YES,
                    "contact_person": _nfkc(cells[4]),
                    "contact": _nfkc(cells[5]),
                }
                same = (
                    not created
                    and all(getattr(profile, k) == v for k, v in wanted.items())
                    and {c.pk for c in profile.challenges.all()}
                    == {c.pk for c in chosen_challenges}
                    and {t.pk for t in profile.themes.all()} == {t.pk for t in chosen_themes}
                )
                if same:
                    counts.unchanged += 1
                    continue
                profile.skip_history_when_saving = True  # type: ignore[attr-defined]
                for key, value in wanted.items():
                    setattr(profile, key, value)
                profile.save()
                profile.challenges.set(chosen_challenges)
                profile.themes.set(chosen_themes)
                del profile.skip_history_when_saving  # type: ignore[attr-defined]
                profile._change_reason = reason  # type: ignore[attr-defined]
                profile._history_user = by  # type: ignore[attr-defined]
                profile.save()
                if created:
                    counts.created += 1
                else:
                    counts.updated += 1
    finally:
        rejects.close()
    run.status = ImportStatus.DONE
    run.finished_at = timezone.now()
    run.rows, run.created, run.updated = counts.rows, counts.created, counts.updated
    run.unchanged, run.rejected = counts.unchanged, counts.rejected
    run.rejects_file = str(rejects.path) if rejects.count else ""
    run.save()
    return run
