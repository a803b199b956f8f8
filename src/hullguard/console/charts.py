"""Geometry of the server-side SVG charts. The templates draw the shapes (autoescaped like any
other text), so a chart needs no JavaScript and no inline style."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str
    start_ms: int = 0  # time bars: the bucket, so the bar can link to its events
    end_ms: int = 0


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    max_value: int
    first_label: str
    last_label: str


def time_bars(buckets: list[tuple[int, int]], bucket_ms: int, width: int = 720, height: int = 160) -> Chart:
    """Vertical bars, one per time bucket, labelled with the bucket's start (UTC)."""
    fmt = "%m-%d %H:00" if bucket_ms < 24 * 3600 * 1000 else "%Y-%m-%d"
    top = max((count for _, count in buckets), default=0)
    plot_height = height - 20
    step = width / max(1, len(buckets))
    bars = []
    for i, (start, count) in enumerate(buckets):
        h = 0.0 if top == 0 else plot_height * count / top
        label = dt.datetime.fromtimestamp(start / 1000, tz=dt.timezone.utc).strftime(fmt)
        bars.append(
            Bar(
                x=round(i * step + 1, 1),
                y=round(plot_height - h, 1),
                width=round(max(1.0, step - 2), 1),
                height=round(h, 1),
                value=count,
                label=label,
                start_ms=start,
                end_ms=start + bucket_ms,
            )
        )
    return Chart(width, height, bars, top, bars[0].label if bars else "", bars[-1].label if bars else "")


def horizontal_bars(items: list[tuple[str, int]], width: int = 400, row: int = 22) -> Chart:
    """One horizontal bar per (label, value), scaled to the largest value."""
    top = max((v for _, v in items), default=0)
    label_width = 180  # fits the longest risk id, cross-execution-persistence, at 11 px
    bars = [
        Bar(
            x=label_width,
            y=i * row + 3,
            width=0.0 if top == 0 else round((width - label_width - 50) * v / top, 1),
            height=row - 6,
            value=v,
            label=label,
        )
        for i, (label, v) in enumerate(items)
    ]
    return Chart(width, max(row, row * len(items)), bars, top, "", "")


def trend_line(points: list[tuple[int, int]], width: int = 520, height: int = 140) -> tuple[Chart, str]:
    """A polyline through (scan time, findings); returns the chart and the SVG ``points`` attribute."""
    top = max((v for _, v in points), default=0)
    plot = height - 20
    step = width / max(1, len(points) - 1) if len(points) > 1 else 0
    bars = []
    coords = []
    for i, (stamp, value) in enumerate(points):
        x = round(10 + i * (step * (width - 20) / width), 1)
        y = round(plot - (0 if top == 0 else plot * value / top) + 5, 1)
        label = dt.datetime.fromtimestamp(stamp / 1000, tz=dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
        bars.append(Bar(x=x, y=y, width=0, height=0, value=value, label=label))
        coords.append(f"{x},{y}")
    chart = Chart(width, height, bars, top, bars[0].label if bars else "", bars[-1].label if bars else "")
    return chart, " ".join(coords)
