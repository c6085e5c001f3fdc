"""Generate synthetic national-format open-data CSV files (介護サービス情報公表システム, 24 columns).

The generator itself lives in partners/synthetic.py (seed_demo uses it too).

    python bench/gen_establishments.py --rows 250000 --out var/opendata --national
    python bench/gen_establishments.py --rows 3000 --out var/opendata            # 長野県 only
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from partners.synthetic import generate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--out", type=Path, default=Path("var/opendata"))
    parser.add_argument(
        "--national", action="store_true", help="all 47 prefectures (default 長野県)"
    )
    parser.add_argument("--dirty", type=float, default=0.02, help="share of rows with an error")
    parser.add_argument("--encoding", default="utf-8-sig", choices=["utf-8", "utf-8-sig", "cp932"])
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    paths = generate(
        args.rows,
        args.out,
        national=args.national,
        dirty=args.dirty,
        encoding=args.encoding,
        seed=args.seed,
    )
    print(f"{args.rows} rows in {len(paths)} files under {args.out}")


if __name__ == "__main__":
    main()
