"""Geometry of the SVG charts printed in the PDF reports (drawn by our templates, no library).

Every chart names its scale: an axis with round ticks, the unit, and the value at each bar or
point. Labels are wrapped onto several lines instead of being cut, so no label ends in 「…」.
The drawing is 480 units wide and scales to the width of the text column.

On screen the same charts are drawn `stacked`: each label on its own line(s) above its bar, in a
drawing 360 units wide with 15-unit text (13 for values and the scale), so that a phone shows
letters of 11 px or more and a label
never has to be cut.
"""

import math

WIDTH = 480
LABEL_WIDTH = 170
BAR_SPACE = 230
LINE_HEIGHT = 11
ROW_PAD = 9
LABEL_CHARS = 17  # about 17 full-width characters fit in the label column at 9 units
AXIS_HEIGHT = 22


def nice_ticks(high: float, low: float = 0.0, count: int = 5) -> list[float]:
    """Round tick values from low to at least high: steps of 1, 2 or 5 × 10^n."""
    span = max(high - low, 1e-9)
    raw = span / max(1, count)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if step < 1 and all(float(v).is_integer() for v in (high, low)) and span >= 1:
        step = 1
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def tick_label(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def wrap_label(label: str, width: int = LABEL_CHARS) -> list[str]:
    """The label in lines of at most `width` characters (a line break after 「（」 is avoided)."""
    lines = []
    rest = label
    while len(rest) > width:
        cut = width
        if rest[cut - 1] in "（「(":
            cut -= 1
        lines.append(rest[:cut])
        rest = rest[cut:]
    lines.append(rest)
    return lines


STACKED = {"width": 360, "font": 15, "small": 13, "line": 19, "chars": 22}


def bar_chart(
    rows: list[tuple[str, float | int, float | int | None]],
    *,
    unit: str = "",
    stacked: bool = False,
) -> dict:
    """rows: (label, value, second value or None); a second value draws an outlined bar below.

    `stacked` (for screens) puts each label above its bar instead of in a column to its left.
    """
    if stacked:
        return _stacked_bar_chart(rows, unit=unit)
    paired = any(second is not None for _label, _value, second in rows)
    top = max([1, *(v for _l, v, _s in rows), *(s or 0 for _l, _v, s in rows)])
    ticks = nice_ticks(top)
    maximum = ticks[-1]

    # A paired chart leaves room for 「（報告書 18件）」 after the longer bar.
    space = BAR_SPACE - 30 if paired else BAR_SPACE

    def scale(value: float) -> float:
        return round(space * max(0, value) / maximum, 1)  # a negative value draws no bar

    out = []
    y = 0.0
    for label, value, second in rows:
        lines = wrap_label(label)
        height = max(len(lines) * LINE_HEIGHT, 12 if not paired else 16) + ROW_PAD
        width, width2 = scale(value), scale(second or 0)
        out.append(
            {
                "label": label,
                "lines": [
                    {"text": text, "dy": 0 if i == 0 else LINE_HEIGHT}
                    for i, text in enumerate(lines)
                ],
                "value": value,
                "value2": second,
                "y": round(y + 2, 1),
                "width": width,
                "width2": width2,
                "label_x": LABEL_WIDTH + max(width, width2) + 4,
                "label_y": 11,
                "bar_y": 2,
                "bar2_y": 11,
                "value_y": 11,
            }
        )
        y += height
    plot_height = round(y + 2, 1)
    return {
        "rows": out,
        "width": WIDTH,
        "left": LABEL_WIDTH,
        "plot_height": plot_height,
        "height": plot_height + AXIS_HEIGHT,
        "ticks": [{"x": LABEL_WIDTH + scale(t), "label": tick_label(t)} for t in ticks],
        "tick_y": plot_height + 3,
        "tick_label_y": plot_height + 11,
        "axis_label_y": plot_height + 20,
        "paired": paired,
        "unit": unit,
        "font": 9,
        "small": 8,
        "bar_height": 8 if paired else 12,
        "bar2_height": 5,
        "summary": _summary(rows, unit),
    }


def _summary(rows, unit: str) -> str:
    """The values in words, for a reader who cannot see the chart (the PDF's /Alt)."""
    return "、".join(
        f"{label} {tick_label(float(value))}{unit}"
        + (f"（報告書 {tick_label(float(second))}{unit}）" if second is not None else "")
        for label, value, second in rows
    )


def _stacked_bar_chart(rows, *, unit: str) -> dict:
    paired = any(second is not None for _label, _value, second in rows)
    geometry = STACKED
    width, line = geometry["width"], geometry["line"]
    top = max([1, *(v for _l, v, _s in rows), *(s or 0 for _l, _v, s in rows)])
    ticks = nice_ticks(top, count=4)
    maximum = ticks[-1]
    # Room right of the longest bar for 「12件（報告書 18件）」 at the small size.
    space = width - (150 if paired else 65)

    def scale(value: float) -> float:
        return round(space * max(0, value) / maximum, 1)

    out = []
    y = 0.0
    bar, bar2 = (12, 7) if paired else (14, 0)
    for label, value, second in rows:
        lines = wrap_label(label, geometry["chars"])
        label_height = len(lines) * line
        width1, width2 = scale(value), scale(second or 0)
        bar_y = label_height + 2
        out.append(
            {
                "label": label,
                "lines": [
                    {"text": text, "dy": 0 if i == 0 else line} for i, text in enumerate(lines)
                ],
                "value": value,
                "value2": second,
                "y": round(y + 2, 1),
                "width": width1,
                "width2": width2,
                "label_x": max(width1, width2) + 5,
                "label_y": line - 4,
                "bar_y": bar_y,
                "bar2_y": bar_y + bar + 1,
                "value_y": bar_y + bar - 1,
            }
        )
        y += label_height + bar + bar2 + 12
    plot_height = round(y + 2, 1)
    return {
        "rows": out,
        "width": width,
        "left": 0,
        "plot_height": plot_height,
        "height": plot_height + 40,
        "ticks": [{"x": scale(t), "label": tick_label(t)} for t in ticks],
        "tick_y": plot_height + 4,
        "tick_label_y": plot_height + 18,
        "axis_label_y": plot_height + 36,
        "paired": paired,
        "unit": unit,
        "font": geometry["font"],
        "small": geometry["small"],
        "bar_height": bar,
        "bar2_height": bar2,
        "summary": _summary(rows, unit),
        "stacked": True,
    }
