"""Server-side SVG charts: pure functions from numbers to markup, no request in sight.

Every chart carries a <title> and <desc> and is drawn next to a table with the same numbers (the
templates' text alternative). Colours are presentation attributes, not style attributes (the CSP
allows no inline styles); labels are escaped here.
"""
from __future__ import annotations

from datetime import date
from typing import Any
from collections.abc import Sequence

from markupsafe import Markup, escape

#: The pipeline's colours, identified → delivered, then dropped.
STAGE_COLOURS = {"identified": "#9aa5b1", "contacted": "#5b8def", "met": "#2f6fb0", "committed": "#1d8a6b",
                 "delivered": "#0b5d3b", "dropped": "#c2413b"}
OUTCOME_COLOURS = {"kept": "#0b5d3b", "partly_kept": "#8fb73e", "broken": "#c2413b", "open": "#9aa5b1"}


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value - round(value)) < 1e-9 else f"{value:,.1f}"


def _svg(width: int, height: int, title: str, desc: str, body: list[str], css: str = "chart") -> Markup:
    return Markup(  # every text in body, title and desc is escaped; numbers, colours and classes are ours  # nosec B704
        f'<svg class="{css}" viewBox="0 0 {width} {height}" role="img" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title><desc>{escape(desc)}</desc>'
        + "".join(body) + "</svg>")


def bars(rows: Sequence[tuple[str, int, str]], *, title: str, width: int = 560) -> Markup:
    """Horizontal bars (the stage funnel): (label, value, colour) per row."""
    label_w, row_h, gap = 110, 26, 8
    height = len(rows) * (row_h + gap) + gap
    top = max([v for _l, v, _c in rows] + [1])
    body = []
    for i, (label, value, colour) in enumerate(rows):
        y = gap + i * (row_h + gap)
        w = (width - label_w - 60) * value / top
        body.append(f'<text x="0" y="{y + 18}" class="chart-label">{escape(label)}</text>'
                    f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{row_h}" rx="3" fill="{colour}"/>'
                    f'<text x="{label_w + w + 6:.1f}" y="{y + 18}" class="chart-value">{_fmt(value)}</text>')
    desc = "; ".join(f"{label}: {_fmt(v)}" for label, v, _c in rows)
    return _svg(width, height, title, desc, body)


def columns(rows: Sequence[tuple[str, int]], *, title: str, width: int = 560, height: int = 180) -> Markup:
    """Vertical columns (meetings per month): (label, value) per column."""
    if not rows:
        return _svg(width, 40, title, "no data", ['<text x="0" y="24" class="chart-label">—</text>'])
    base, top = height - 24, max([v for _l, v in rows] + [1])
    slot = width / len(rows)
    bar_w = max(min(slot * 0.7, 48), 2)
    body = [f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="#ced4da"/>']
    step = max(1, len(rows) // 12)
    for i, (label, value) in enumerate(rows):
        h = (base - 16) * value / top
        x = i * slot + (slot - bar_w) / 2
        body.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" rx="2" fill="#2f6fb0"/>'
        )
        if value:
            body.append(f'<text x="{x + bar_w / 2:.1f}" y="{base - h - 3:.1f}" text-anchor="middle" '
                        f'class="chart-value">{value}</text>')
        if i % step == 0:
            body.append(f'<text x="{x + bar_w / 2:.1f}" y="{height - 6}" text-anchor="middle" '
                        f'class="chart-label">{escape(label)}</text>')
    desc = "; ".join(f"{label}: {v}" for label, v in rows)
    return _svg(width, height, title, desc, body)


def stacked(parts: Sequence[tuple[str, int, str]], *, title: str, width: int = 560, height: int = 22) -> Markup:
    """One bar split into parts (kept / partly kept / broken / open; a campaign's pipeline)."""
    total = sum(v for _l, v, _c in parts)
    body, x = [], 0.0
    if not total:
        body.append(f'<rect x="0" y="0" width="{width}" height="{height}" rx="3" fill="#e9ecef"/>')
    for label, value, colour in parts:
        if not value:
            continue
        w = width * value / total
        body.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" fill="{colour}">'
                    f'<title>{escape(label)}: {value}</title></rect>')
        x += w
    desc = "; ".join(f"{label}: {v}" for label, v, _c in parts) or "none"
    return _svg(width, height, title, desc, body, css="chart chart-stacked")


def trajectory_chart(objective: Any, history: Sequence[tuple[date, float]], *, today: date, start: date,
                     width: int = 560, height: int = 200) -> Markup:
    """The objective's values over time against the straight line from baseline to target."""
    left, right, top_pad, base = 44, 12, 12, height - 24
    first, last = start, max(objective.deadline, start)
    span_days = max((last - first).days, 1)
    values = [v for _d, v in history] + [objective.baseline, objective.target_value]
    low, high = min(values + [0]), max(values)
    high = high if high > low else low + 1

    def x(day: date) -> float:
        return left + (width - left - right) * min(max((day - first).days, 0), span_days) / span_days

    def y(value: float) -> float:
        return base - (base - top_pad) * (value - low) / (high - low)

    body = [f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="#ced4da"/>',
            f'<text x="{left - 4}" y="{y(high) + 4:.1f}" text-anchor="end" class="chart-label">{_fmt(high)}</text>',
            f'<text x="{left - 4}" y="{y(low) + 4:.1f}" text-anchor="end" class="chart-label">{_fmt(low)}</text>',
            f'<line x1="{x(first):.1f}" y1="{y(objective.baseline):.1f}" x2="{x(last):.1f}" '
            f'y2="{y(objective.target_value):.1f}" stroke="#6c757d" stroke-dasharray="5 4"/>',
            f'<text x="{left}" y="{height - 6}" class="chart-label">{first.isoformat()}</text>',
            f'<text x="{width - right}" y="{height - 6}" text-anchor="end" class="chart-label">'
            f'{last.isoformat()}</text>']
    if first <= today <= last:
        body.append(f'<line x1="{x(today):.1f}" y1="{top_pad}" x2="{x(today):.1f}" y2="{base}" stroke="#adb5bd" '
                    f'stroke-dasharray="2 3"/>')
    if history:
        points = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in history)
        body.append(f'<polyline points="{points}" fill="none" stroke="#2f6fb0" stroke-width="2.5"/>')
        for d, v in history[-12:]:
            body.append(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3" fill="#2f6fb0"/>')
    desc = (f"From {_fmt(objective.baseline)} at the start to {_fmt(objective.target_value)} by "
            f"{objective.deadline.isoformat()}; " + "; ".join(f"{d.isoformat()}: {_fmt(v)}" for d, v in history))
    return _svg(width, height, f"{objective.metric}: trajectory", desc, body)
