"""Geometry of the SVG charts printed in the PDF reports (drawn by our templates, no library)."""

LABEL_WIDTH = 170
BAR_SPACE = 200
ROW_HEIGHT = 20


def bar_chart(rows: list[tuple[str, float | int, float | int | None]], *, unit: str = "") -> dict:
    """rows: (label, value, second value or None); a second value draws an outlined bar below."""
    paired = any(second is not None for _label, _value, second in rows)
    maximum = max([1, *(v for _l, v, _s in rows), *(s or 0 for _l, _v, s in rows)])
    out = []
    for index, (label, value, second) in enumerate(rows):
        width = round(BAR_SPACE * max(0, value) / maximum, 1)  # a negative value draws no bar
        out.append(
            {
                "label": label if len(label) <= 18 else label[:17] + "…",
                "value": value,
                "value2": second,
                "y": index * ROW_HEIGHT + 2,
                "width": width,
                "width2": round(BAR_SPACE * (second or 0) / maximum, 1),
                "label_x": LABEL_WIDTH + max(width, (BAR_SPACE * (second or 0) / maximum)) + 4,
            }
        )
    return {"rows": out, "height": len(rows) * ROW_HEIGHT + 6, "paired": paired, "unit": unit}
