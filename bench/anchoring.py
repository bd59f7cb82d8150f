"""Benchmark: re-anchor 10,000 marks on a ~1 MB document across a revision with a few hundred edits.

Run: .venv/bin/python bench/anchoring.py   (prints median and p95 over repeated runs)
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotator import text as textlib
from annotator.anchoring import Anchor, Rule, carry

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def scale_text(target=1_000_000):
    parts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    extra = "Эмодзи 😀 и кириллица; 汉字 mixed in — “quotes”.\n\n"
    chunks, size, i = [], 0, 0
    while size < target:
        chunk = f"[{i}] " + parts[i % len(parts)] + extra
        chunks.append(chunk)
        size += len(chunk)
        i += 1
    return "".join(chunks)


def anchors_at(text, regions):
    """Anchors for the regions [(start, end)] of the text, with their quote context, as the app stores them."""
    anchors = []
    for key, (start, end) in enumerate(regions):
        prefix, suffix = textlib.quote_context(text, start, end)
        anchors.append(Anchor(key, start, end, text[start:end], prefix, suffix))
    return anchors


def revise(text, edits, rng):
    """A new version of the text: `edits` small replacements (a word, a space, a dash, or nothing) at random places."""
    new = list(text)
    for pos in sorted(rng.sample(range(len(text)), edits), reverse=True):
        new[pos : pos + rng.randrange(0, 6)] = list(rng.choice(["", "x", "corrected", " ", "—"]))
    return "".join(new)


def main(runs=5, marks=10_000, edits=300):
    rng = random.Random(7)
    old = scale_text()
    regions = []
    for _ in range(marks):
        start = rng.randrange(0, len(old) - 200)
        regions.append((start, start + rng.randrange(5, 120)))
    anchors = anchors_at(old, regions)
    new = revise(old, edits, rng)
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = carry(anchors, old, new)
        times.append(time.perf_counter() - t0)
    counts = {p.value: 0 for p in Rule}
    for placed in result:
        counts[placed.placement.value] += 1
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"cores: {os.cpu_count()}  text: {len(old):,} code points  marks: {marks:,}  edits: {edits}")
    print(f"re-anchor: median {statistics.median(times) * 1000:.0f} ms  p95 {p95 * 1000:.0f} ms  (target < 2000 ms)")
    print("placements: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
