"""Exports of the registry: any filtered list of corporations or establishments, and the groups
of a sub-meeting, as CSV (UTF-8 with BOM, so Excel opens it) or XLSX. Rows stream from the
database in chunks, so a list of 250,000 establishments does not sit in memory."""

from collections.abc import Iterable, Iterator

from django.utils import timezone

from partners import reference, selectors
from portal.spreadsheets import TableSheet, csv_writer, new_workbook, workbook_bytes

CORPORATION_COLUMNS = (
    ("法人番号", lambda c: c.number),
    ("法人名", lambda c: c.name),
    ("法人の種類", lambda c: c.get_kind_display()),
    ("主な市区町村", lambda c: str(c.municipality) if c.municipality_id else ""),
    ("事業所数", lambda c: c.site_count),
    ("定員の合計", lambda c: c.capacity_total or None),
    ("規模", lambda c: c.get_size_band_display()),
    ("サービスの種類", lambda c: "、".join(c.service_types or [])),
    ("マッチング同意", lambda c: _consent(c)),
    ("担当者", lambda c: c.profile.contact_person if getattr(c, "profile", None) else ""),
    ("連絡先", lambda c: c.profile.contact if getattr(c, "profile", None) else ""),
)
ESTABLISHMENT_COLUMNS = (
    ("事業所番号", lambda e: e.number),
    ("サービスの種類", lambda e: e.service_type),
    ("事業所名", lambda e: e.name),
    ("市区町村", lambda e: str(e.municipality) if e.municipality_id else ""),
    ("住所", lambda e: e.address),
    ("方書（ビル名等）", lambda e: e.building),
    # Decimals: numbers in XLSX, and CSV writes them digit for digit as before.
    ("緯度", lambda e: e.latitude),
    ("経度", lambda e: e.longitude),
    ("電話番号", lambda e: e.phone),
    ("FAX番号", lambda e: e.fax),
    ("定員", lambda e: e.capacity),
    ("法人番号", lambda e: e.corporation.number if e.corporation_id else ""),
    ("法人名", lambda e: e.corporation.name if e.corporation_id else ""),
    ("URL", lambda e: e.url),
)
# Contact details: filled only in the rows whose corporation the viewer may contact
# (partners/access.py, rule 6).
CONTACT_HEADERS = frozenset({"担当者", "連絡先", "電話番号", "FAX番号"})


def _consent(corporation) -> str:
    profile = getattr(corporation, "profile", None)
    if profile is None:
        return "未回答"
    return "同意" if profile.consent_matching else "不同意"


def _rows(queryset, columns, sees_contact) -> Iterator[list]:
    for obj in queryset.iterator(chunk_size=2000):
        shown = sees_contact(obj)
        yield [
            get(obj) if shown or header not in CONTACT_HEADERS else "" for header, get in columns
        ]


class _Echo:
    def write(self, value):
        return value


def stream_csv(header: Iterable[str], rows: Iterable[list]) -> Iterator[str]:
    """The header first (so the file stays a plain table for scripts), the rows, then the credit
    and the data date the licence of the open data asks for, one line each."""
    writer = csv_writer(_Echo())
    yield "\ufeff" + writer.writerow(list(header))
    for row in rows:
        yield writer.writerow(row)
    for line in selectors.open_data_credit().lines:
        yield writer.writerow([line])


# What each export is, for the document title and the page header.
DOCUMENT_TITLES = {
    "法人": "法人の一覧（台帳）",
    "事業所": "事業所の一覧（台帳）",
    "グループ": "サブ会議のグループ分け",
}


def source() -> str:
    """The credit of the open data (partners/reference.py), for page headers and properties."""
    return reference.open_data_credit()


def xlsx_bytes(title: str, header: list[str], rows: Iterable[list]) -> bytes:
    """A write-only workbook (rows stream through; a 250,000-row list never sits in memory as
    cells). The header stays on row 1 so the sheet is a plain table for filters and scripts; the
    credit of the open data is in the page header and the document properties, and with the data
    date on a sheet of its own, 「出典」, after the table's."""
    credit = selectors.open_data_credit()
    document_title = DOCUMENT_TITLES.get(title, title)
    book = new_workbook(
        title=document_title, subject=f"{credit.text}。{credit.as_of_label}", write_only=True
    )
    today = timezone.localdate()
    table = TableSheet(book, title, list(header), source=source(), as_of=today)
    table.extend(rows)
    table.close()
    credit_sheet(book, credit, as_of=today)
    return workbook_bytes(book)


def credit_sheet(book, credit: "selectors.OpenDataCredit", *, as_of) -> None:
    """The sheet 「出典」: the source, its URL, the data date, the licence and that we processed it."""
    sheet = TableSheet(
        book, "出典", ["項目", "内容"], source=credit.text, as_of=as_of, wrap_columns={1}
    )
    sheet.extend(
        [
            ["出典", f"{reference.OPEN_DATA_SOURCE}（{reference.OPEN_DATA_PUBLISHER}）"],
            ["URL", credit.url],
            ["データ時点", credit.as_of_label],
            ["利用条件", reference.OPEN_DATA_LICENCE],
            ["表記", credit.text],
        ]
    )
    sheet.close()


def registry_table(view: str, queryset, viewer) -> tuple[str, list[str], Iterator[list]]:
    """The export of a filtered list; contact columns are filled per row as `viewer` allows."""
    if view == "establishments":
        columns = ESTABLISHMENT_COLUMNS
        queryset = queryset.select_related("corporation", "municipality")
        title = "事業所"

        def sees(e) -> bool:
            return e.corporation_id is not None and viewer.sees_contact(e.corporation)
    else:
        columns = CORPORATION_COLUMNS
        queryset = queryset.select_related("municipality", "profile")
        title = "法人"
        sees = viewer.sees_contact
    return title, [h for h, _ in columns], _rows(queryset, columns, sees)


def groups_table(meeting, groups, unplaced, viewer) -> tuple[list[str], list[list]]:
    """The groups of a sub-meeting; contact columns are filled as `viewer` allows."""

    def contact(member) -> list[str]:
        profile = getattr(member.corporation, "profile", None)
        if profile is None or not viewer.sees_contact(member.corporation):
            return ["", ""]
        return [profile.contact_person, profile.contact]

    header = [
        "グループ",
        "法人番号",
        "法人名",
        "主な市区町村",
        "事業所数",
        "経営課題",
        "関心テーマ",
        "グループの理由",
        "担当者",
        "連絡先",
    ]
    rows = []
    for group in groups:
        for member in group["members"]:
            f = member.features
            rows.append(
                [
                    group["number"],
                    f.number,
                    f.name,
                    f.municipality_name,
                    f.sites,
                    "、".join(sorted(f.challenges)),
                    "、".join(sorted(f.themes)),
                    group["reason"],
                    *contact(member),
                ]
            )
    for member in unplaced:
        f = member.features
        rows.append(
            [
                "未割り当て",
                f.number,
                f.name,
                f.municipality_name,
                f.sites,
                "",
                "",
                "",
                *contact(member),
            ]
        )
    return header, rows
