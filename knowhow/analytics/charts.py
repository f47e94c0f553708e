"""Charts drawn on the server as SVG: no JavaScript, no external library, readable by screen
readers (each chart has a title and the same numbers as a table beside it)."""

from collections.abc import Sequence
from datetime import date
from html import escape

from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#1d5fbf", "#1a7f37", "#b35900", "#8250df", "#b42318"]


def _fmt(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


def line_chart(
    title: str,
    series: dict[str, Sequence[tuple[date, float]]],
    *,
    width: int = 640,
    height: int = 220,
) -> SafeString:
    pad_l, pad_r, pad_t, pad_b = 44, 12, 12, 28
    inner_w, inner_h = width - pad_l - pad_r, height - pad_t - pad_b
    points = [p for s in series.values() for p in s]
    top = max((v for _, v in points), default=0) or 1
    n = max((len(s) for s in series.values()), default=1)
    step = inner_w / max(n - 1, 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i in range(5):
        y = pad_t + inner_h - inner_h * i / 4
        parts.append(
            f'<line class="grid" x1="{pad_l}" x2="{width - pad_r}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text class="axis" x="{pad_l - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(top * i / 4)}</text>'
        )
    first = next(iter(series.values()), [])
    if first:
        for idx in sorted({0, len(first) // 2, len(first) - 1}):
            x = pad_l + step * idx
            parts.append(
                f'<text class="axis" x="{x:.1f}" y="{height - 8}" text-anchor="middle">{first[idx][0]:%d %b}</text>'
            )
    for color, (label, values) in zip(PALETTE, series.items(), strict=False):
        coords = " ".join(
            f"{pad_l + step * i:.1f},{pad_t + inner_h - inner_h * (v / top):.1f}"
            for i, (_, v) in enumerate(values)
        )
        parts.append(
            f'<polyline class="series" data-series="{escape(label)}" fill="none" stroke="{color}" '
            f'stroke-width="2" points="{coords}"/>'
        )
    parts.append("</svg>")
    legend = "".join(
        f'<span class="legend-item"><span class="swatch swatch-{i}"></span>{escape(label)}</span>'
        for i, label in enumerate(list(series)[: len(PALETTE)])
    )
    return mark_safe(
        f'<figure class="chart-figure">{"".join(parts)}<figcaption>{legend}</figcaption></figure>'
    )  # noqa: S308


def bar_chart(
    title: str, rows: Sequence[tuple[str, float]], *, width: int = 640, bar_height: int = 22
) -> SafeString:
    if not rows:
        return mark_safe(f'<p class="muted">No data for “{escape(title)}” in this period.</p>')  # noqa: S308
    label_w, pad = 170, 8
    height = pad * 2 + bar_height * len(rows)
    top = max(v for _, v in rows) or 1
    inner = width - label_w - 60
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(rows):
        y = pad + i * bar_height
        w = max(inner * value / top, 1)
        parts.append(
            f'<text class="axis" x="{label_w - 6}" y="{y + bar_height * 0.68:.1f}" text-anchor="end">{escape(label[:28])}</text>'
        )
        parts.append(
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{bar_height - 6}" rx="3"/>'
        )
        parts.append(
            f'<text class="axis" x="{label_w + w + 6:.1f}" y="{y + bar_height * 0.68:.1f}">{_fmt(value)}</text>'
        )
    parts.append("</svg>")
    return mark_safe(f'<figure class="chart-figure">{"".join(parts)}</figure>')  # noqa: S308
