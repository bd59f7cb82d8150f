"""Hostile text shown everywhere it appears, the app's pages and the admin's: inert, shown as written, and unable
to reorder the interface around it.

On each page: no script ran (the payloads set window.__pwned; the CSP would block them too, so the DOM is
checked as well), no element or attribute came from user text, no link goes to a javascript: or data: URL,
the payload is there as text, and no bidi control from user text is followed by interface text in the same
bidi paragraph (every value ends where an isolate or a block ends). The document's own text is shown as the
document has it (its controls act within its own blocks): #doc-text, the quote in context, the diff, and the
text on the admin's document page.
"""

from django.urls import reverse

from annotator import services

from ..factories import UserFactory
from ..hostile import SCRIPT, hostile_project

CHECK = """() => {
  const problems = [];
  if (window.__pwned) problems.push("a script from user text ran");
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (attr.name.startsWith("on")) problems.push(`<${el.localName}> has an ${attr.name} attribute`);
    }
  }
  for (const s of document.scripts) {
    if (s.textContent.includes("__pwned") || (s.src || "").includes("__pwned")) problems.push("a <script> from user text");
  }
  if (document.querySelector("img[src='x'], iframe, object, embed")) problems.push("an element made from user text");
  for (const el of document.querySelectorAll("[href], [src], [action], [formaction]")) {
    for (const name of ["href", "src", "action", "formaction"]) {
      const url = (el.getAttribute(name) || "").replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
      if (/^(javascript|data|vbscript):/.test(url) && !(el.localName === "img" && url.startsWith("data:image/"))) {
        problems.push(`<${el.localName} ${name}="${url.slice(0, 40)}">`);
      }
    }
  }
  // Bidi: from the last control a value opens (it ends "RLO" / "RLI") to the end of the nearest isolate or block
  // (or to where a plain-text isolate, U+2068 … U+2069, closes it), nothing but that value: else it is reordered.
  const OPEN = /[\u202a-\u202e\u2066-\u2068]/g;
  // The guidelines are a text the managers write, shown as written like a document's (their controls act within
  // their own paragraphs, which hold nothing of the interface's).
  const DOCUMENT_TEXT = "#doc-text, .in-context, blockquote.exact, .diff, .field-text .readonly, .guidelines, #id_guidelines";
  function reordered(text, start) {
    const stack = [];
    let affected = "", depth = Infinity;  // the depth the opener at `start` opens
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (i === start) depth = stack.length + 1;
      if ("\u202a\u202b\u202d\u202e".includes(c)) stack.push("embedding");
      else if (c === "\u202c") { if (stack.at(-1) === "embedding") stack.pop(); }
      else if ("\u2066\u2067\u2068".includes(c)) stack.push("isolate");
      else if (c === "\u2069") { const k = stack.lastIndexOf("isolate"); if (k >= 0) stack.length = k; }
      else if (i > start && stack.length >= depth) affected += c;
    }
    return affected.replace(/^R?L?[OI]?…?/, "").trim();
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const opened = [...node.data.matchAll(OPEN)];
    if (!opened.length || node.parentElement.closest(DOCUMENT_TEXT)) continue;
    let box = node.parentElement;
    while (box !== document.body) {
      const style = getComputedStyle(box);
      if (["isolate", "isolate-override", "plaintext"].includes(style.unicodeBidi) || style.display !== "inline") break;
      box = box.parentElement;
    }
    const before = document.createRange();
    before.setStart(box, 0);
    before.setEnd(node, opened.at(-1).index);
    const after = reordered(box.textContent, before.toString().length);
    if (after) problems.push(`“${after.slice(0, 50)}” follows user text in <${box.localName} class="${box.className}">`);
  }
  const inTitle = [...document.title.matchAll(OPEN)];
  if (inTitle.length && reordered(document.title, inTitle.at(-1).index)) problems.push("the page title is not isolated from user text");
  return problems;
}"""


def visit(page, url, literal=SCRIPT):
    seen = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and seen.append(msg.text))
    page.goto(url)
    problems = page.evaluate(CHECK)
    assert problems == [], (url, problems)
    assert literal in page.inner_text("body"), (url, "the payload is not shown as text")
    assert page.errors == [], (url, page.errors)
    assert seen == [], (url, seen)  # the strict CSP holds on this page


def app_pages(w):
    d, p, c = w.document.pk, w.project.pk, w.claim.pk
    return [
        reverse("project_list"),
        reverse("project_detail", args=[p]),
        reverse("document_detail", args=[d]),
        reverse("annotation_detail", args=[c]),
        reverse("annotation_detail", args=[w.quotation.pk]),
        reverse("annotation_detail", args=[w.reviewed.pk]),
        reverse("source_list", args=[p]),
        reverse("source_detail", args=[w.source.pk]),
        *[reverse("source_detail", args=[s.pk]) for s in w.legacy],
        reverse("agreement_index", args=[p]),
        reverse("document_agreement", args=[d]),
        reverse("document_versions", args=[d]),
        reverse("version_diff", args=[d]),
        reverse("version_report", args=[d, 2]),
        reverse("version_detail", args=[d, 1]),
        reverse("project_export", args=[p]),
        reverse("link_types", args=[p]),
        reverse("suggestion_list", args=[d]),
        reverse("document_map", args=[d]),
        reverse("project_map", args=[p]),
    ]


def test_hostile_text_is_inert_and_isolated_on_every_page_of_the_app(live_server, login):
    w = hostile_project()
    manager = login(w.people["boss"])
    for url in app_pages(w):
        visit(manager, live_server.url + url)
    reviewer = login(w.people["rev"])
    for url in [reverse("review_queue", args=[w.project.pk]), reverse("link_queue", args=[w.project.pk])]:
        visit(reviewer, live_server.url + url)


def test_hostile_text_is_inert_and_isolated_on_the_team_pages(live_server, login):
    """Running a team (issue 20): the project's name and guidelines, the document's title, its marks' words."""
    from annotator.models import Annotation
    from annotator.services import assignments, projects

    from ..hostile import HOSTILE

    w = hostile_project()
    boss = w.people["boss"]
    projects.update_project(user=boss, project=w.project, guidelines=f"# {HOSTILE}\n\n{HOSTILE} [x]({HOSTILE})")
    assignments.assign(user=boss, document=w.document, member=w.people["ann"])
    assignments.assign(user=boss, document=w.document, member=w.people["rev"], task="review")
    gone = Annotation.objects.filter(created_by=w.people["ann"]).first()
    services.delete_annotation(user=w.people["ann"], annotation=gone)
    p, d = w.project.pk, w.document.pk
    manager = login(boss)
    for url in [
        reverse("project_settings", args=[p]),
        reverse("project_members", args=[p]),
        reverse("project_guidelines", args=[p]),
        reverse("label_list", args=[p]),
        reverse("assignment_list", args=[p]),
        reverse("project_progress", args=[p]),
    ]:
        visit(manager, live_server.url + url)
    visit(manager, live_server.url + reverse("document_detail", args=[d]))
    manager.get_by_text("Deleted marks").click()  # the list comes when opened
    manager.locator("#deleted-marks-list").wait_for()
    assert manager.evaluate(CHECK) == []
    for user in ("ann", "rev"):
        visit(login(w.people[user]), live_server.url + reverse("my_work"))


def test_hostile_text_is_inert_and_isolated_in_the_admin(live_server, login):
    w = hostile_project()
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    page = login(staff)
    link = w.claim.links_from.first()
    citation = w.claim.citations.first()
    visit(page, live_server.url + reverse("admin:index"), literal="")  # no user text on it
    pages = []
    for model, obj in [
        ("project", w.project),
        ("document", w.document),
        ("annotation", w.claim),
        ("source", w.source),
        ("citation", citation),
        ("link", link),
        ("linktype", w.link_type),
        ("label", w.label),
        ("span", w.claim.span),
    ]:
        pages += [
            reverse(f"admin:annotator_{model}_changelist"),
            reverse(f"admin:annotator_{model}_change", args=[obj.pk]),
        ]
    pages += [
        reverse("admin:annotator_annotation_history", args=[w.claim.pk]),
        reverse("admin:annotator_document_delete", args=[w.document.pk]),
        reverse("admin:annotator_source_change", args=[w.legacy[0].pk]),
    ]
    for url in pages:
        visit(page, live_server.url + url, literal="window.__pwned=1")
