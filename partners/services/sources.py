"""What an establishment import reads: CSV files, folders and ZIP archives, each CSV a `Source`.

A ZIP member is read as a stream (zipfile + io.TextIOWrapper), never extracted to disk; members
and folder entries that are not CSV files are reported and skipped. The national file names carry
the service code and the day the file was provided (`jigyosho_150_all_20260715103000.csv`), from
which the data date is proposed: the last 6月30日 or 12月31日 before that day.
"""

import codecs
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, TextIO

from django.utils import timezone

from partners import catalogue

_CODE = re.compile(r"jigyosho_(\d{3})(?:_|\.|$)", re.IGNORECASE)
_PROVIDED = re.compile(r"_((?:19|20)\d{6})\d{6}(?:\.csv)?$", re.IGNORECASE)


class UnusableFile(Exception):
    """The file cannot be imported at all (unreadable, or not the national format)."""


@dataclass(frozen=True)
class Source:
    """One CSV to read: a file (`member` None) or a member of the ZIP archive at `path`."""

    path: Path
    member: str | None = None
    # Named on the command line or uploaded as a CSV: unusable means the whole run is refused.
    # Found in a folder or an archive: unusable means it is reported and skipped.
    explicit: bool = True

    @property
    def name(self) -> str:
        return f"{self.path.name}/{self.member}" if self.member else self.path.name

    @property
    def base_name(self) -> str:
        return Path(self.member).name if self.member else self.path.name

    @contextmanager
    def open_binary(self) -> Iterator[IO[bytes]]:
        # Only opening is turned into UnusableFile: an error while reading, once rows may have
        # been written, must reach the run as what it is (the run is then marked interrupted).
        archive = None
        try:
            if self.member is None:
                handle: IO[bytes] = self.path.open("rb")
            else:
                archive = zipfile.ZipFile(self.path)
                handle = archive.open(self.member)
        except (
            OSError,
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            NotImplementedError,
            KeyError,
        ) as exc:
            if archive is not None:
                archive.close()
            raise UnusableFile(
                f"ファイルを読めません: {getattr(exc, 'strerror', None) or exc}"
            ) from exc
        try:
            yield handle
        finally:
            handle.close()
            if archive is not None:
                archive.close()

    @contextmanager
    def open_text(self, encoding: str) -> Iterator[TextIO]:
        with self.open_binary() as raw:
            # newline="" as csv wants; strict, so a bad byte stops the run rather than guessing.
            yield io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")

    @property
    def service_code(self) -> str | None:
        """The service code in a national file name, if the catalogue knows it."""
        found = _CODE.search(self.base_name)
        return found.group(1) if found and found.group(1) in catalogue.BY_CODE else None

    @property
    def provided_on(self) -> date | None:
        return provided_on(self.base_name)


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str


def provided_on(name: str) -> date | None:
    """The day a national file was provided, from its name (…_20260715103000.csv)."""
    found = _PROVIDED.search(Path(name).name)
    if not found:
        return None
    text = found.group(1)
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def last_half_year_end(day: date) -> date:
    """The last 6月30日 or 12月31日 strictly before `day`: the date national data describes."""
    if (day.month, day.day) > (6, 30):
        return date(day.year, 6, 30)
    return date(day.year - 1, 12, 31)


def proposed_as_of(names: list[str]) -> date:
    """The data date to propose for files with these names (today's when none says)."""
    days = [d for d in (provided_on(n) for n in names) if d]
    return last_half_year_end(max(days) if days else timezone.localdate())


def _archive_sources(path: Path, *, explicit: bool) -> tuple[list[Source], list[Skipped]]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        if explicit:
            raise UnusableFile(f"{path.name}: ZIPファイルとして開けません: {exc}") from exc
        return [], [Skipped(path.name, f"ZIPファイルとして開けません（{exc}）。")]
    sources, skipped = [], []
    for member in sorted(members, key=lambda m: m.filename):
        if member.filename.lower().endswith(".csv"):
            sources.append(Source(path, member.filename, explicit=False))
        else:
            skipped.append(Skipped(f"{path.name}/{member.filename}", "CSVファイルではありません。"))
    return sources, skipped


def sources_of(paths: list[Path]) -> tuple[list[Source], list[Skipped]]:
    """Every CSV named, in a named folder (and its subfolders) or in a named ZIP archive."""
    sources: list[Source] = []
    skipped: list[Skipped] = []
    for path in map(Path, paths):
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                suffix = child.suffix.lower()
                if suffix == ".zip":
                    found, left = _archive_sources(child, explicit=False)
                    sources += found
                    skipped += left
                elif suffix == ".csv":
                    sources.append(Source(child, explicit=False))
                else:
                    skipped.append(
                        Skipped(child.name, "CSVファイルでもZIPファイルでもありません。")
                    )
        elif path.suffix.lower() == ".zip":
            found, left = _archive_sources(path, explicit=True)
            sources += found
            skipped += left
        else:
            sources.append(Source(path, explicit=True))
    return sources, skipped


@dataclass(frozen=True)
class Sniffed:
    encoding: str
    digest: str
    lines: int


def sniff(source: Source) -> Sniffed:
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
        with source.open_binary() as handle:
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
    except (zipfile.BadZipFile, EOFError) as exc:
        raise UnusableFile(f"ZIPファイルの中身を読めません: {exc}") from exc
    if not decoders:
        raise UnusableFile("文字コードがUTF-8でもShift_JIS（cp932）でもないため読めません。")
    if "utf-8" in decoders:
        encoding = "utf-8-sig" if first.startswith(codecs.BOM_UTF8) else "utf-8"
    else:
        encoding = "cp932"
    return Sniffed(encoding, digest.hexdigest(), lines)
