"""Figures in a real Chromium (Debian's, through Playwright): the first screen of the document, a mark from the
Claim button to its highlight, and scrolling the whole text. Times are taken inside the page (performance.now)."""

from __future__ import annotations

import statistics
import time

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM_ARGS, chromium_path, select_text

from .figures import Figure

# Installed before any of the page's scripts: paint timing, the largest contentful paint and long tasks.
OBSERVERS = """
window.__bench = {lcp: null, fcp: null, longtasks: []};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__bench.lcp = e.startTime;
}).observe({type: "largest-contentful-paint", buffered: true});
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.name === "first-contentful-paint") window.__bench.fcp = e.startTime;
}).observe({type: "paint", buffered: true});
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__bench.longtasks.push([e.startTime, e.duration]);
}).observe({type: "longtask", buffered: true});
"""

AFTER_TWO_FRAMES = (
    "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50))))"
)

# Before a click on a label button: note when the click arrives and when a highlight piece starting where the mark
# starts is first in the text (then one frame later, when it is on screen). The mark starts where the page sends it
# (the selection snapped to whole words), read from the mark form, which the click fills.
WATCH_HIGHLIGHT = """() => {
  window.__hl = {click: null, shown: null, status: null};
  const sent = document.getElementById("mark-form").elements.start;
  sent.value = "";
  document.getElementById("toolbar").addEventListener("click", () => { window.__hl.click = performance.now(); },
                                                      {capture: true, once: true});
  document.body.addEventListener("htmx:afterRequest", (e) => {
    if (e.detail.elt.id === "mark-form" && window.__hl.status === null) window.__hl.status = e.detail.xhr.status;
  });
  const text = document.getElementById("doc-text");
  const observer = new MutationObserver(() => {
    if (window.__hl.shown === null && sent.value !== "" && text.querySelector(`.m[data-start="${sent.value}"]`)) {
      observer.disconnect();
      requestAnimationFrame(() => { window.__hl.shown = performance.now(); });
    }
  });
  observer.observe(text, {childList: true, subtree: true, attributes: true});
}"""

SCROLL_THROUGH = """async () => {
  const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  window.scrollTo(0, 0);
  await frames();
  const from = performance.now();
  const steps = [];
  let y = 0;
  while (y + innerHeight < document.documentElement.scrollHeight) {
    y += innerHeight;
    const t = performance.now();
    window.scrollTo(0, y);
    await frames();
    steps.push(performance.now() - t);
  }
  await new Promise((r) => setTimeout(r, 300));  // long tasks are reported a little after they end
  const tasks = window.__bench.longtasks.filter(([start]) => start >= from).map(([, d]) => d);
  return {steps, tasks, seconds: (performance.now() - from) / 1000};
}"""


def browser_figures(
    base_url: str,
    cookies: list[dict],
    document_id: int,
    regions: list[tuple[int, int]],
    loads: int,
    marks: int,
    click_budget: float = 45,
) -> list[Figure]:
    """`loads` loads of the document page (each to its DOMContentLoaded: the page's script is then set up), one
    Claim per region until `click_budget` seconds are spent (one at least), then one scroll through the text."""
    url = f"{base_url}/documents/{document_id}/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.set_default_timeout(180_000)
            context.add_cookies([{**cookie, "url": base_url} for cookie in cookies])
            context.add_init_script(OBSERVERS)
            page = context.new_page()
            readable, fcp, ready = [], [], []
            for _ in range(loads):
                page.goto(url, wait_until="domcontentloaded")
                page.evaluate(AFTER_TWO_FRAMES)
                seen = page.evaluate("() => window.__bench")
                timing = page.evaluate("() => performance.getEntriesByType('navigation')[0].toJSON()")
                readable.append(seen["lcp"] if seen["lcp"] is not None else seen["fcp"])
                fcp.append(seen["fcp"])
                ready.append(timing["domContentLoadedEventEnd"])
            claim = page.get_by_role("button", name="Claim")
            highlight = []
            spent = time.perf_counter()
            for start, end in regions:
                if highlight and time.perf_counter() - spent > click_budget:
                    break
                select_text(page, start, end)
                page.wait_for_function("() => !document.querySelector('#toolbar .label-btn').disabled")
                page.evaluate(WATCH_HIGHLIGHT)
                claim.click()
                page.wait_for_function(
                    "() => window.__hl.shown !== null || (window.__hl.status !== null && window.__hl.status !== 200)"
                )
                shown = page.evaluate("() => window.__hl")
                if shown["shown"] is None:
                    raise RuntimeError(f"The mark's POST answered {shown['status']}")
                highlight.append(shown["shown"] - shown["click"])
                page.wait_for_function("() => !document.querySelector('.htmx-request')")
            scroll = page.evaluate(SCROLL_THROUGH)
        finally:
            browser.close()
    longest = max(scroll["tasks"], default=0.0)
    return [
        Figure(
            "browser: load to first screen readable",
            readable,
            "ms",
            1000,
            note=f"largest contentful paint; first paint {statistics.median(fcp):,.0f} ms, "
            f"DOMContentLoaded {statistics.median(ready):,.0f} ms",
        ),
        Figure(f"browser: Claim click to highlight ({marks:,} marks)", highlight, "ms", 100),
        Figure(
            "browser: scrolling the whole text, longest task",
            [longest],
            "ms",
            100,
            judged="max",
            note=f"{len(scroll['tasks'])} long tasks in {len(scroll['steps'])} viewport steps, "
            f"{scroll['seconds']:.1f} s; a step's frames median {statistics.median(scroll['steps'] or [0]):.0f} ms",
        ),
    ]
