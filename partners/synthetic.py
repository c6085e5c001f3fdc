"""Synthetic national-format open-data CSV files (介護サービス情報公表システム, 24 columns).

Realistic enough to exercise the importer and the registry: prefectures weighted roughly by
population, municipalities with valid 団体コード, corporations with valid 法人番号 owning one to
dozens of establishments around a home municipality, capacities by service type, coordinates
around each municipality, and a share of dirty rows (bad 法人番号, wrong column count, duplicates,
text in 定員, full-width digits, quoted commas and line breaks). Used by the tests at small size,
by `seed_demo` for the demo prefecture, and by the benchmarks at 250,000 rows
(bench/gen_establishments.py is the command-line front end).
"""

import csv
import random
from itertools import accumulate
from pathlib import Path

from partners.catalogue import category_of, service_name
from portal.validators import corporate_number_check_digit, municipality_code_check_digit

HEADER = [
    "都道府県コード又は市町村コード", "No", "都道府県名", "市区町村名", "事業所名", "事業所名カナ",
    "サービスの種類", "住所", "方書（ビル名等）", "緯度", "経度", "電話番号", "FAX番号", "法人番号",
    "法人の名称", "事業所番号", "利用可能曜日", "利用可能曜日特記事項", "定員", "URL",
    "高齢者の方と障害者の方が同時一体的に利用できるサービス", "介護保険の通常の指定基準を満たしている",
    "障害福祉の通常の指定基準を満たしている", "備考",
]  # fmt: skip

# (service code, weight, capacity range or None when not entered); names come from the catalogue.
SERVICE_MIX = [
    ("110", 18, None), ("150", 12, (15, 45)), ("430", 16, None), ("780", 9, (10, 18)),
    ("130", 8, None), ("510", 5, (29, 120)), ("520", 3, (50, 150)), ("210", 6, (10, 40)),
    ("320", 6, (9, 27)), ("730", 3, (18, 29)), ("170", 5, None), ("331", 2, (30, 100)),
    ("334", 1, (20, 60)), ("160", 3, (20, 60)), ("120", 1, None), ("760", 2, None),
    ("720", 1, (3, 12)), ("770", 1, (18, 29)), ("550", 1, (40, 120)), ("540", 1, (20, 29)),
]  # fmt: skip
# (service type, file slug, weight, capacity range)
SERVICES = [(service_name(code), code, weight, cap) for code, weight, cap in SERVICE_MIX]

# 長野県: real municipalities with their codes and approximate centres.
NAGANO = [
    ("202011", "長野市", 36.6486, 138.1948), ("202029", "松本市", 36.2381, 137.9720),
    ("202037", "上田市", 36.4019, 138.2491), ("202045", "岡谷市", 36.0669, 138.0494),
    ("202053", "飯田市", 35.5149, 137.8218), ("202061", "諏訪市", 36.0391, 138.1140),
    ("202070", "須坂市", 36.6510, 138.3072), ("202088", "小諸市", 36.3275, 138.4256),
    ("202096", "伊那市", 35.8275, 137.9539), ("202100", "駒ヶ根市", 35.7288, 137.9339),
    ("202118", "中野市", 36.7420, 138.3694), ("202126", "大町市", 36.5031, 137.8512),
    ("202134", "飯山市", 36.8514, 138.3653), ("202142", "茅野市", 35.9958, 138.1584),
    ("202151", "塩尻市", 36.1153, 137.9533), ("202177", "佐久市", 36.2489, 138.4769),
    ("202185", "千曲市", 36.5336, 138.1199), ("202193", "東御市", 36.3594, 138.3300),
    ("202207", "安曇野市", 36.3044, 137.9058),
]  # fmt: skip

# 市外局番 of those municipalities, so a demo establishment's telephone looks like a local one.
AREA_CODES = {
    "202011": "026", "202029": "0263", "202037": "0268", "202045": "0266", "202053": "0265",
    "202061": "0266", "202070": "026", "202088": "0267", "202096": "0265", "202100": "0265",
    "202118": "0269", "202126": "0261", "202134": "0269", "202142": "0266", "202151": "0263",
    "202177": "0267", "202185": "026", "202193": "0268", "202207": "0263",
}  # fmt: skip

PREFECTURES = [
    ("01", "北海道", 43.06, 141.35, 5.1), ("02", "青森県", 40.82, 140.74, 1.2),
    ("03", "岩手県", 39.70, 141.15, 1.2), ("04", "宮城県", 38.27, 140.87, 2.3),
    ("05", "秋田県", 39.72, 140.10, 0.9), ("06", "山形県", 38.24, 140.36, 1.0),
    ("07", "福島県", 37.75, 140.47, 1.8), ("08", "茨城県", 36.34, 140.45, 2.8),
    ("09", "栃木県", 36.57, 139.88, 1.9), ("10", "群馬県", 36.39, 139.06, 1.9),
    ("11", "埼玉県", 35.86, 139.65, 7.3), ("12", "千葉県", 35.61, 140.12, 6.3),
    ("13", "東京都", 35.69, 139.69, 14.0), ("14", "神奈川県", 35.45, 139.64, 9.2),
    ("15", "新潟県", 37.90, 139.02, 2.2), ("16", "富山県", 36.70, 137.21, 1.0),
    ("17", "石川県", 36.59, 136.63, 1.1), ("18", "福井県", 36.07, 136.22, 0.8),
    ("19", "山梨県", 35.66, 138.57, 0.8), ("20", "長野県", 36.65, 138.18, 2.0),
    ("21", "岐阜県", 35.39, 136.72, 2.0), ("22", "静岡県", 34.98, 138.38, 3.6),
    ("23", "愛知県", 35.18, 136.91, 7.5), ("24", "三重県", 34.73, 136.51, 1.8),
    ("25", "滋賀県", 35.00, 135.87, 1.4), ("26", "京都府", 35.02, 135.76, 2.6),
    ("27", "大阪府", 34.69, 135.52, 8.8), ("28", "兵庫県", 34.69, 135.18, 5.4),
    ("29", "奈良県", 34.69, 135.83, 1.3), ("30", "和歌山県", 34.23, 135.17, 0.9),
    ("31", "鳥取県", 35.50, 134.24, 0.5), ("32", "島根県", 35.47, 133.05, 0.7),
    ("33", "岡山県", 34.66, 133.93, 1.9), ("34", "広島県", 34.40, 132.46, 2.8),
    ("35", "山口県", 34.19, 131.47, 1.3), ("36", "徳島県", 34.07, 134.56, 0.7),
    ("37", "香川県", 34.34, 134.04, 0.9), ("38", "愛媛県", 33.84, 132.77, 1.3),
    ("39", "高知県", 33.56, 133.53, 0.7), ("40", "福岡県", 33.61, 130.42, 5.1),
    ("41", "佐賀県", 33.25, 130.30, 0.8), ("42", "長崎県", 32.74, 129.87, 1.3),
    ("43", "熊本県", 32.79, 130.74, 1.7), ("44", "大分県", 33.24, 131.61, 1.1),
    ("45", "宮崎県", 31.91, 131.42, 1.1), ("46", "鹿児島県", 31.56, 130.56, 1.6),
    ("47", "沖縄県", 26.21, 127.68, 1.5),
]  # fmt: skip

PLACE = ["みどり", "ひかり", "あおば", "さくら", "つばさ", "やまびこ", "ふれあい", "のぞみ", "こもれび", "すずらん",
         "はなみずき", "かがやき", "ゆうあい", "しらかば", "あさひ", "いずみ", "わかば", "ほほえみ", "ひまわり", "まごころ"]  # fmt: skip
KANJI = [
    "清流",
    "松風",
    "千曲",
    "安曇",
    "高原",
    "白樺",
    "紅葉",
    "若葉",
    "陽光",
    "大樹",
    "和楽",
    "豊寿",
    "福寿",
    "慈愛",
    "寿光",
]
DAYS = ["月火水木金", "月火水木金土", "月火水木金土日", "毎日"]


def municipality_code(prefecture: str, number: int) -> str:
    base = f"{prefecture}{number:03d}"
    return base + str(municipality_code_check_digit(base))


def corporate_number(rng: random.Random) -> str:
    base = f"{rng.randrange(10**11, 10**12):012d}"
    return str(corporate_number_check_digit(base)) + base


def municipalities_for(national: bool, rng: random.Random) -> list[tuple]:
    if not national:
        return [("20", "長野県", *m) for m in NAGANO]
    result = []
    for code, name, lat, lon, weight in PREFECTURES:
        towns = max(3, int(weight * 4))
        # The prefecture's weight is shared by its municipalities, so that each prefecture's
        # share of the rows follows its population (giving every town the whole weight made
        # 東京都 28 % of the country instead of about 11 %).
        for i in range(towns):
            city = f"{rng.choice(KANJI)}{rng.choice(['市', '町', '市', '村'])}"
            result.append(
                (code, name, municipality_code(code, 201 + i), city, lat + rng.uniform(-0.4, 0.4),
                 lon + rng.uniform(-0.4, 0.4), weight / towns)
            )  # fmt: skip
    return result


def phone_number(code: str, rng: random.Random) -> str:
    """A ten-digit fixed-line number: the municipality's 市外局番 where it is known (three draws
    from `rng` either way, so the rest of a generated file does not depend on it)."""
    head, middle, last = rng.randint(10, 99), rng.randint(100, 999), rng.randint(1000, 9999)
    area = AREA_CODES.get(code)
    if area is None:
        return f"0{head}-{middle}-{last}"
    # 026-234-5678 or 0263-34-5678: the area code and the local exchange make six digits.
    return f"{area}-{str(middle)[: 6 - len(area)]}-{last}"


def establishment_number(prefecture: str, service: str, draw: int) -> str:
    """A 10-digit 介護保険事業所番号 as real ones look: the prefecture's code, then 7 for services
    the municipality designates (地域密着型) and 1 for the others, then seven digits."""
    kind = "7" if category_of(service) == "community" else "1"
    return f"{prefecture}{kind}{draw % 10**7:07d}"


def corporations(rng: random.Random, count: int) -> list[tuple[str, str]]:
    kinds = [("社会福祉法人{}会", 3), ("株式会社{}ケア", 5), ("医療法人社団{}会", 2), ("特定非営利活動法人{}", 1),
             ("有限会社{}", 1), ("合同会社{}", 1)]  # fmt: skip
    templates = [t for t, w in kinds for _ in range(w)]
    return [
        (corporate_number(rng), rng.choice(templates).format(rng.choice(KANJI) + rng.choice(PLACE)))
        for _ in range(count)
    ]


def generate(
    rows: int, out: Path, *, national: bool, dirty: float, encoding: str, seed: int
) -> list[Path]:
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    places = municipalities_for(national, rng)
    place_weights = [p[6] if len(p) > 6 else 1 for p in places]
    pool = corporations(rng, max(10, rows // 6))
    # Few corporations own many establishments: draw owners with a skewed weight.
    owner_weights = [1 / (i + 1) ** 0.7 for i in range(len(pool))]
    # Each corporation works around a home municipality: most of its sites are there or in the
    # same prefecture, a few elsewhere (large groups reach further).
    homes = rng.choices(range(len(places)), place_weights, k=len(pool))
    by_prefecture: dict[str, list[int]] = {}
    for index, place in enumerate(places):
        by_prefecture.setdefault(place[0], []).append(index)
    owner_index = {number: i for i, (number, _name) in enumerate(pool)}
    # Cumulative weights once: choices(weights=...) would sum 40,000 weights again on every row.
    owner_cumulative = list(accumulate(owner_weights))
    place_cumulative = list(accumulate(place_weights))
    service_weights = [s[2] for s in SERVICES]
    out.mkdir(parents=True, exist_ok=True)
    writers, handles, paths = {}, {}, []
    for service, slug, _w, _cap in SERVICES:
        path = out / f"jigyosho_{slug}.csv"
        handle = path.open("w", encoding=encoding, newline="", errors="replace")
        handles[service] = handle
        writers[service] = csv.writer(handle)
        writers[service].writerow(HEADER)
        paths.append(path)
    previous: dict[str, list[str]] = {}
    owners: dict[str, str] = {}  # 事業所番号 → 法人番号
    for n in range(1, rows + 1):
        service, _slug, _w, capacity_range = rng.choices(SERVICES, service_weights)[0]
        corp_number, corp_name = rng.choices(pool, cum_weights=owner_cumulative)[0]
        home = homes[owner_index[corp_number]]
        spread = rng.random()
        if spread < 0.7:
            place = places[home]
        elif spread < 0.95:
            place = places[rng.choice(by_prefecture[places[home][0]])]
        else:
            place = rng.choices(places, cum_weights=place_cumulative)[0]
        pref_code, pref_name, code, city, lat, lon = place[:6]
        draw = rng.randrange(10**7, 10**8)
        est_number = establishment_number(pref_code, service, draw)
        while owners.setdefault(est_number, corp_number) != corp_number:
            draw += 1  # real numbers belong to one corporation: never reuse another's
            est_number = establishment_number(pref_code, service, draw)
        name = f"{rng.choice(PLACE)}{rng.choice(['の家', 'ケアセンター', '苑', 'デイサービス', 'ステーション'])}{n}"
        capacity = str(rng.randint(*capacity_range)) if capacity_range else "0"
        row = [
            code, str(n), pref_name, city, name, "", service,
            f"{pref_name}{city}{rng.randint(1, 9)}丁目{rng.randint(1, 30)}-{rng.randint(1, 20)}",
            rng.choice(["", "", "", f"{rng.choice(KANJI)}ビル{rng.randint(1, 5)}階"]),
            f"{lat + rng.uniform(-0.05, 0.05):.6f}", f"{lon + rng.uniform(-0.05, 0.05):.6f}",
            phone_number(code, rng),
            phone_number(code, rng),
            corp_number, corp_name, est_number, rng.choice(DAYS), "", capacity,
            rng.choice(["", f"https://example.jp/{n}"]), "", "", "", "",
        ]  # fmt: skip
        if rng.random() < 0.05:
            row[9] = row[10] = ""  # blank coordinates
        if rng.random() < 0.03:
            row[23] = "送迎あり、土曜も営業\n年末年始は休み"  # quoted comma and line break
        if rng.random() < 0.02:
            row[18] = row[18].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        if rng.random() < dirty:
            kind = rng.randrange(5)
            if kind == 0:
                row[13] = row[13][:-1] + str((int(row[13][-1]) + 1) % 10)  # bad check digit
            elif kind == 1:
                row = row[:20]  # wrong column count
            elif kind == 2 and service in previous:
                row = list(previous[service])  # duplicate of an earlier row
            elif kind == 3:
                row[18] = "約20"  # not a number
            else:
                row[15] = row[15][:6]  # 事業所番号 too short
        if rng.random() < 0.02 and service in previous:
            # The same 事業所番号 under a second service is normal, not dirty.
            row[15] = previous[service][15]
            row[13], row[14] = previous[service][13], previous[service][14]  # same owner
            other = rng.choice([s for s in SERVICES if s[0] != service])[0]
            row[6] = other
            writers[other].writerow(row)
            continue
        previous[service] = row
        writers[service].writerow(row)
    for handle in handles.values():
        handle.close()
    return paths
