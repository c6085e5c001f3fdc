"""Every wide table on a page uses the one phone pattern: `class="card-table"` and a `data-label`
on each body cell, so under 40rem its rows become cards (static/css/portal.css). A table of four
columns or more is wide; the PDFs (templates/reports/) and the side-by-side comparison of cases,
whose columns are the cases themselves, are not pages of rows."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
NOT_ROWS = ("compare-table",)


def wide_tables():
    for path in sorted(TEMPLATES.rglob("*.html")):
        if "reports" in path.relative_to(TEMPLATES).parts:
            continue
        for table in re.findall(r"<table\b.*?</table>", path.read_text(encoding="utf-8"), re.S):
            head = re.search(r"<thead>(.*?)</thead>", table, re.S)
            columns = head.group(1).count("<th") if head else 0
            looped = head is not None and "{% for" in head.group(1)
            if (columns >= 4 or looped) and not any(name in table[:200] for name in NOT_ROWS):
                yield path.relative_to(TEMPLATES), table


def test_every_wide_table_turns_into_cards_on_a_phone():
    found = list(wide_tables())
    assert len(found) >= 20
    for path, table in found:
        assert 'class="card-table' in table.split(">", 1)[0], f"{path}: {table[:80]}"
        body = table.split("</thead>", 1)[1]
        cells = re.findall(r"<td(\s[^>]*)?>", body)
        unlabelled = [c for c in cells if "data-label" not in (c or "")]
        assert not unlabelled, f"{path}: a cell without data-label in {table[:80]}"
