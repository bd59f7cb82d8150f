"""Figures: the samples of one measurement, their median and p95, the target they are judged by, and the table."""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass


@dataclass
class Figure:
    """One line of the table. `judged` names the statistic held against `target` (which it must stay under)."""

    name: str
    samples: list
    unit: str  # "ms", "s", "MiB", or "" for a count
    target: float | None
    judged: str = "median"  # "median", "p95" or "max"
    note: str = ""

    @classmethod
    def failure(cls, name: str, unit: str, target: float | None, exc: Exception) -> Figure:
        """A measurement that could not be made: no samples, and why in the note."""
        return cls(name, [], unit, target, note=f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:150]}")

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return p95(self.samples)

    @property
    def judged_value(self) -> float:
        return {"median": self.median, "p95": self.p95, "max": max(self.samples)}[self.judged]

    @property
    def met(self) -> bool | None:
        if not self.samples:
            return False
        if self.target is None:
            return None
        # A count target of 0 means "none at all"; otherwise stay under it.
        return self.judged_value <= 0 if self.target == 0 else self.judged_value < self.target


def p95(samples: list) -> float:
    """Nearest rank: with few samples it is the largest."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def timed(fn, runs: int, budget: float | None = None) -> tuple[list[float], object]:
    """Call fn up to `runs` times (at least once, fewer when `budget` seconds are spent): seconds each, last result."""
    seconds, result, spent = [], None, 0.0
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - started)
        spent += seconds[-1]
        if budget is not None and spent > budget:
            break
    return seconds, result


def in_ms(seconds: list[float]) -> list[float]:
    return [s * 1000 for s in seconds]


def median_p95_ms(fn, runs: int) -> tuple[float, float, object]:
    """fn called `runs` times: the median and p95 in milliseconds, and the last result (the standalone scripts)."""
    seconds, result = timed(fn, runs)
    ms = in_ms(seconds)
    return statistics.median(ms), p95(ms), result


def show(value: float, unit: str) -> str:
    if unit == "":
        return f"{value:,.0f}"
    if unit == "ms":
        return f"{value:,.1f} ms" if value < 10 else f"{value:,.0f} ms"
    if unit == "s":
        return f"{value:,.2f} s"
    return f"{value:,.1f} {unit}"


def table(figures: list[Figure]) -> str:
    rows = [("figure", "runs", "median", "p95", "target", "result", "")]
    for f in figures:
        target = "" if f.target is None else ("= 0" if f.target == 0 else f"< {show(f.target, f.unit)}")
        if f.target is not None and f.judged != "median":
            target += f" ({f.judged})"
        if not f.samples:
            rows.append((f.name, "0", "-", "-", target, "FAILED", f.note))
            continue
        result = {True: "met", False: "MISSED", None: ""}[f.met]
        rows.append((f.name, str(len(f.samples)), show(f.median, f.unit), show(f.p95, f.unit), target, result, f.note))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0]), row[1].rjust(widths[1])] + [c.rjust(w) for c, w in zip(row[2:4], widths[2:4])]
        cells += [row[4].ljust(widths[4]), row[5].ljust(widths[5]), row[6]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
