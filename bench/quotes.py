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
from annotator.quotes import check_quotation, check_quotation_cached, find_repeats, strip_enclosing_quotes  # noqa: E402

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
        seconds, check = best_of(lambda: check_quotation(quote, source))
        print(f"  {label:50s} {len(source):>9,d} chars  {seconds * 1000:8.2f} ms  -> {check.verdict}, {check.changes} difference(s)")
    book = "\n\n".join([FORUM * 30, passage, FORUM * 30])
    check_quotation_cached(quote, book)
    # A new string each time, as the database gives it: the digest of the text is part of the cost.
    seconds, check = best_of(lambda: check_quotation_cached(quote, "".join([book[:1], book[1:]])))
    print(f"  {'the same, answered from the recent checks':50s} {len(book):>9,d} chars  {seconds * 1000:8.2f} ms  -> {check.verdict}")
    seconds, check = best_of(lambda: check_quotation(quote, strip_enclosing_quotes(quote)))
    print(f"  {'source = the passage verbatim':50s} {len(passage):>9,d} chars  {seconds * 1000:8.2f} ms  -> {check.verdict}")

    print("Quotation suggestions (hashed 8-word shingles)")
    seconds, repeats = best_of(lambda: find_repeats([FORUM, BLOG], 0))
    print(f"  forum seed, project of both seeds          {len(FORUM):>9,d} chars  {seconds * 1000:8.2f} ms  -> {len(repeats)} suggestions")
    seconds, repeats = best_of(lambda: find_repeats([FORUM, BLOG], 1))
    print(f"  blog seed, project of both seeds           {len(BLOG):>9,d} chars  {seconds * 1000:8.2f} ms  -> {len(repeats)} suggestions")
    document = scale_text()
    seconds, repeats = best_of(lambda: find_repeats([document], 0), repeat=3)
    print(f"  bench/anchoring.py's ~1 MB document        {len(document):>9,d} chars  {seconds * 1000:8.2f} ms  -> {len(repeats)} suggestions")
    print("  scaling: random words with the forum pasted in at random places (time per 1,000 words should stay flat)")
    rng = random.Random(5)
    vocabulary = [f"w{i}" for i in range(5000)]
    for words in (10_000, 40_000, 160_000, 640_000):
        parts = [" ".join(rng.choices(vocabulary, k=words // 8)) for _ in range(8)]
        text = (" " + FORUM + " ").join(parts)
        seconds, repeats = best_of(lambda: find_repeats([text], 0), repeat=3)
        total = len(text.split())
        print(f"  {total:>9,d} words {len(text):>11,d} chars  {seconds * 1000:9.1f} ms  "
              f"{seconds * 1e6 / total:6.2f} µs/word  -> {len(repeats)} suggestions")


if __name__ == "__main__":
    main()
