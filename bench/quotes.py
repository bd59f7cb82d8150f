"""Timings of the quotation check and the repeated-passage finder on the seeds (figures, not a test).

Run: .venv/bin/python bench/quotes.py
"""

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))

from anchoring import scale_text  # noqa: E402  (bench/anchoring.py)

from annotator.quotes import check_quotation, find_repeats, max_check_steps, strip_enclosing_quotes  # noqa: E402

BLOG = (ROOT / "seeds" / "003_d10184c267f9a8d1.txt").read_text(encoding="utf-8")
FORUM = (ROOT / "seeds" / "000_79e11ffbb65a5d38.txt").read_text(encoding="utf-8")


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main():
    start = BLOG.index("“But the question")
    end = BLOG.index("Trotskyites.”") + len("Trotskyites.”")
    quote = BLOG[start:end]
    passage = strip_enclosing_quotes(quote).replace("discriminate approach", "differentiated approach")
    print(f"Quotation check: blog seed's quotation of the speech of 5 March 1937 ({len(quote.split())} words)")
    for label, source in [
        ("source = the passage, one word changed", passage),
        ("source = the passage inside ~1 MB of other text", "\n\n".join([FORUM * 30, passage, FORUM * 30])),
    ]:
        seconds, check = best_of(lambda source=source: check_quotation(quote, source))
        print(
            f"  {label:50s} {len(source):>9,d} chars  {seconds * 1000:8.2f} ms  -> {check.verdict}, "
            f"{check.changes} difference(s), {check.work.steps:,} steps"
        )
    seconds, check = best_of(lambda: check_quotation(quote, strip_enclosing_quotes(quote)))
    print(
        f"  {'source = the passage verbatim':50s} {len(passage):>9,d} chars  {seconds * 1000:8.2f} ms  -> {check.verdict}"
    )

    print("Quotation check, hostile (issue 18): '= ' * 1000 + 'end' against '= ' repeated; the work beyond reading the")
    print("source is capped (max_check_steps), so the time follows the source's length, not |source| x |quotation|")
    hostile = "= " * 1000 + "end"
    for megabytes in (0.2, 1, 5):
        source = "= " * int(megabytes * 524288)
        seconds, check = best_of(lambda source=source: check_quotation(hostile, source), repeat=3)
        work = check.work
        print(
            f"  {megabytes:>4g} MB source {len(source):>11,d} chars  {seconds * 1000:8.1f} ms  -> {check.verdict}; "
            f"{work.steps:,} steps ({work.source:,} source tokens read, {work.votes:,} votes, {work.cells:,} cells; "
            f"at most {max_check_steps(len(source)):,} beyond reading the source)"
        )
    rng = random.Random(1)
    vocabulary = [f"w{i}" for i in range(1500)]
    source = " ".join(rng.choices(vocabulary, k=170_000))
    words = source.split()[50_000:53_990]
    edited = " ".join(words[:2000] + ["changed"] + words[2001:])
    seconds, check = best_of(lambda: check_quotation(edited, source), repeat=3)
    work = check.work
    print(
        f"  3,990 common words, one changed, ~1 MB source     {seconds * 1000:8.1f} ms  -> {check.verdict}; "
        f"{work.votes:,} votes, {work.cells:,} aligner cells (the caps)"
    )

    print("Quotation suggestions (hashed 8-word shingles)")
    seconds, repeats = best_of(lambda: find_repeats([FORUM, BLOG], 0))
    print(
        f"  forum seed, project of both seeds          {len(FORUM):>9,d} chars  {seconds * 1000:8.2f} ms  -> {len(repeats)} suggestions"
    )
    seconds, repeats = best_of(lambda: find_repeats([FORUM, BLOG], 1))
    print(
        f"  blog seed, project of both seeds           {len(BLOG):>9,d} chars  {seconds * 1000:8.2f} ms  -> {len(repeats)} suggestions"
    )
    document = scale_text()
    seconds, repeats = best_of(lambda: find_repeats([document], 0), repeat=3)
    print(
        f"  bench/anchoring.py's ~1 MB document        {len(document):>9,d} chars  {seconds * 1000:8.2f} ms  -> {len(repeats)} suggestions"
    )
    print("  scaling: random words with the forum pasted in at random places (time per 1,000 words should stay flat)")
    rng = random.Random(5)
    vocabulary = [f"w{i}" for i in range(5000)]
    for words in (10_000, 40_000, 160_000, 640_000):
        parts = [" ".join(rng.choices(vocabulary, k=words // 8)) for _ in range(8)]
        text = (" " + FORUM + " ").join(parts)
        seconds, repeats = best_of(lambda text=text: find_repeats([text], 0), repeat=3)
        total = len(text.split())
        print(
            f"  {total:>9,d} words {len(text):>11,d} chars  {seconds * 1000:9.1f} ms  "
            f"{seconds * 1e6 / total:6.2f} µs/word  -> {len(repeats)} suggestions"
        )


if __name__ == "__main__":
    main()
