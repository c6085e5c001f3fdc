"""Rows and files of the national open data, as the import tests and the upload tests write them."""

import csv
import io
from pathlib import Path

from partners.services.imports import HEADER

CORP = "7000012050002"  # a valid 法人番号


def row(**values) -> list[str]:
    base = {
        "都道府県コード又は市町村コード": "202011",
        "No": "1",
        "都道府県名": "長野県",
        "市区町村名": "長野市",
        "事業所名": "みどりの家",
        "事業所名カナ": "ﾐﾄﾞﾘﾉｲｴ",
        "サービスの種類": "訪問介護",
        "住所": "長野県長野市大字南長野1-1",
        "方書（ビル名等）": "",
        "緯度": "36.648600",
        "経度": "138.194800",
        "電話番号": "026-000-0000",
        "FAX番号": "026-000-0001",
        "法人番号": CORP,
        "法人の名称": "社会福祉法人みどり会",
        "事業所番号": "2070100011",
        "利用可能曜日": "月火水木金",
        "利用可能曜日特記事項": "",
        "定員": "0",
        "URL": "",
        "高齢者の方と障害者の方が同時一体的に利用できるサービス": "",
        "介護保険の通常の指定基準を満たしている": "",
        "障害福祉の通常の指定基準を満たしている": "",
        "備考": "",
    }
    base.update(values)
    return [base[h] for h in HEADER]


def write(tmp_path, rows, *, encoding="utf-8-sig", header=HEADER, name="jigyosho.csv") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def rejects_of(run) -> list[dict]:
    if not run.rejects_file:
        return []
    with open(run.rejects_file, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))
