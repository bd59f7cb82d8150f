// The document page's few behaviours: selection to code-point offsets, label buttons and shortcuts,
// opening marks, keeping the read-only text read-only, and showing when the server is unreachable.
// Offsets sent to the server are Unicode code points; the DOM counts UTF-16 code units.
"use strict";

(function () {
  let lastSelection = null;  // {start, end, exact} of the current selection inside the text

  function codePointLength(s) {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      // A high surrogate followed by a low one is a single code point.
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      n++;
    }
    return n;
  }

  function pieceStart(piece) { return parseInt(piece.dataset.start, 10); }
  function pieceEnd(piece) { return pieceStart(piece) + codePointLength(piece.textContent); }

  function pieces(container) { return container.querySelectorAll(".p"); }

  // The code-point offset of a DOM boundary point (node, offset) inside the text container.
  function boundaryOffset(container, node, offset) {
    if (node.nodeType === Node.TEXT_NODE) {
      const piece = node.parentElement && node.parentElement.closest(".p");
      if (piece && container.contains(piece)) {
        let before = 0;
        for (const child of piece.childNodes) {
          if (child === node) break;
          before += codePointLength(child.textContent);
        }
        return pieceStart(piece) + before + codePointLength(node.data.slice(0, offset));
      }
      offset = Array.prototype.indexOf.call(node.parentNode.childNodes, node) + (offset > 0 ? 1 : 0);
      node = node.parentNode;
    }
    // An element boundary: the start of the first piece at or after it, else the end of the last before it.
    const all = pieces(container);
    const marker = document.createRange();
    marker.setStart(node, offset);
    for (const piece of all) {
      if (marker.comparePoint(piece, 0) >= 0) return pieceStart(piece);
    }
    return all.length ? pieceEnd(all[all.length - 1]) : 0;
  }

  function sliceCodePoints(s, from, to) { return Array.from(s).slice(from, to).join(""); }

  // The pieces of the text from `first` on, in order (a walk, so a long text is not read whole).
  function* piecesFrom(container, first) {
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_ELEMENT, {
      acceptNode: function (n) { return n.classList.contains("p") ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP; },
    });
    walker.currentNode = first;
    for (let piece = first; piece; piece = walker.nextNode()) yield piece;
  }

  // The piece holding a DOM boundary point, or the first piece after it.
  function pieceAt(container, node, offset) {
    const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    const piece = element && element.closest(".p");
    if (piece && container.contains(piece)) return piece;
    for (const candidate of pieces(container)) {
      const marker = document.createRange();
      marker.setStart(node, offset);
      if (marker.comparePoint(candidate, 0) >= 0) return candidate;
    }
    return null;
  }

  // Code points of the text read either side of a selection, to snap it to words: a word at an edge longer than
  // this is not taken whole. A word never crosses a block, so neither does this context.
  const CONTEXT = 64;

  // The document text between two offsets, read from the pieces (each knows where it starts), from the piece
  // where the selection starts; and up to CONTEXT code points of the text of its blocks before and after it.
  function textAround(container, first, start, end) {
    let exact = "", last = first;
    for (const piece of piecesFrom(container, first)) {
      const ps = pieceStart(piece);
      if (ps >= end) break;
      const text = piece.textContent;
      const pe = ps + codePointLength(text);
      if (pe <= start) continue;
      exact += sliceCodePoints(text, Math.max(start, ps) - ps, Math.min(end, pe) - ps);
      last = piece;
    }
    let before = Array.from(first.textContent).slice(0, Math.max(0, start - pieceStart(first)));
    for (let p = first.previousElementSibling; p && before.length < CONTEXT; p = p.previousElementSibling) {
      before = Array.from(p.textContent).concat(before);
    }
    let after = Array.from(last.textContent).slice(Math.max(0, end - pieceStart(last)));
    for (let p = last.nextElementSibling; p && after.length < CONTEXT; p = p.nextElementSibling) {
      after = after.concat(Array.from(p.textContent));
    }
    return { exact: exact, before: before.slice(-CONTEXT).join(""), after: after.slice(0, CONTEXT).join("") };
  }

  const wordSegmenter = typeof Intl === "object" && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "word" }) : null;

  // [start, end) of `text` (UTF-16 indexes) snapped to whole words, as INCEpTION snaps a selection to tokens:
  // white space at either end dropped, and an end inside a word (or inside an emoji, or between a letter and
  // its combining accent) moved out to its edge. Words are Unicode's (UAX #29, Intl.Segmenter): Cyrillic
  // as Latin, an apostrophe inside a word ("don't", "aujourd’hui") part of it, scripts without spaces cut by
  // dictionary. Punctuation at an end stays. Without Intl.Segmenter only the white space goes.
  function snapToWords(text, start, end) {
    while (start < end && /\s/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    if (start === end || !wordSegmenter) return [start, end];
    const segments = wordSegmenter.segment(text);
    const first = segments.containing(start);
    const last = segments.containing(end - 1);
    return [first.index, last.index + last.segment.length];
  }

  // What marking the selection takes: the selection snapped to whole words, or exactly as selected (`exactly`:
  // Shift held, or the project's setting). Null when only white space is selected.
  function markable(selection, exactly) {
    const container = document.getElementById("doc-text");
    if (exactly || (container && container.dataset.selection === "exact")) return selection;
    const text = selection.before + selection.exact + selection.after;
    const from = selection.before.length, to = from + selection.exact.length;
    const [start, end] = snapToWords(text, from, to);
    if (start >= end) return null;
    // Code points added (the word's part outside) or dropped (white space) at each end; one slice is empty.
    return {
      start: selection.start - codePointLength(text.slice(start, from)) + codePointLength(text.slice(from, start)),
      end: selection.end + codePointLength(text.slice(to, end)) - codePointLength(text.slice(end, to)),
      exact: text.slice(start, end),
    };
  }

  function shortened(s) {
    const chars = Array.from(s);
    return chars.length <= 60 ? s : chars.slice(0, 28).join("") + " … " + chars.slice(-28).join("");
  }

  let shiftHeld = false;  // a label's key or button with Shift marks exactly what is selected

  // The toolbar's line on the selection: what a label would mark when that is not exactly what is selected, and,
  // while Shift is held, that it would mark the selection exactly.
  function describeSelection(selection) {
    const mark = markable(selection, false);
    const count = codePointLength(selection.exact);
    if (shiftHeld && (!mark || mark.exact !== selection.exact)) {
      return "With Shift: marks exactly the " + count + " characters selected: “" + shortened(selection.exact) + "”";
    }
    if (!mark) return "Only white space is selected: nothing to mark.";
    if (mark.exact === selection.exact) return count + " characters selected";
    return "Marks whole words: “" + shortened(mark.exact) + "”";
  }

  // Shift pressed or let go: the toolbar's line says again what a label would mark.
  function onShift(e) {
    if (e.key !== "Shift" || (e.type === "keydown") === shiftHeld) return;
    shiftHeld = e.type === "keydown";
    if (lastSelection) setToolbar(true);
  }

  function selectionIn(container) {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0).cloneRange();
    // Clip the range to the text, so a drag that runs past it still counts.
    const whole = document.createRange();
    whole.selectNodeContents(container);
    if (range.compareBoundaryPoints(Range.END_TO_START, whole) > 0) return null;
    if (range.compareBoundaryPoints(Range.START_TO_END, whole) < 0) return null;
    if (range.compareBoundaryPoints(Range.START_TO_START, whole) < 0) range.setStart(whole.startContainer, whole.startOffset);
    if (range.compareBoundaryPoints(Range.END_TO_END, whole) > 0) range.setEnd(whole.endContainer, whole.endOffset);
    const start = boundaryOffset(container, range.startContainer, range.startOffset);
    const end = boundaryOffset(container, range.endContainer, range.endOffset);
    if (end <= start) return null;
    const first = pieceAt(container, range.startContainer, range.startOffset);
    const around = first ? textAround(container, first, start, end) : { exact: "", before: "", after: "" };
    return { start: start, end: end, exact: around.exact, before: around.before, after: around.after };
  }

  // The toolbar's line (a polite live region) says what a label would mark, or, with no text selected, which marks
  // the caret is in and that Enter opens them (`note`).
  function setToolbar(enabled, note) {
    document.querySelectorAll("#toolbar .label-btn").forEach(function (b) { b.disabled = !enabled; });
    const info = document.getElementById("selection-info");
    if (info) info.textContent = enabled ? describeSelection(lastSelection) : (note || "");
  }

  // The marked piece the caret is in (a collapsed selection in the text), or null.
  function markAtCaret(container) {
    const sel = window.getSelection();
    if (!sel || !sel.isCollapsed || !sel.focusNode || !container.contains(sel.focusNode)) return null;
    const node = sel.focusNode.nodeType === Node.TEXT_NODE ? sel.focusNode.parentElement : sel.focusNode;
    const piece = node && node.closest(".m");
    return piece && container.contains(piece) ? piece : null;
  }

  function caretNote(piece) {
    if (!piece) return "";
    const several = piece.dataset.marks.split(" ").length > 1;
    return "In " + piece.title + (several ? ". Enter opens them in turn." : ". Enter opens it.");
  }

  function onSelectionChange() {
    const container = document.getElementById("doc-text");
    if (!container) return;
    const sel = window.getSelection();
    const inside = sel && sel.anchorNode && container.contains(sel.anchorNode);
    if (!inside) return;  // focus moved to the toolbar, say: keep what was selected
    lastSelection = selectionIn(container);
    setToolbar(lastSelection !== null, caretNote(markAtCaret(container)));
  }

  // Marks from the keyboard (issue 26). In the text, Enter opens the mark the caret is in (the next of its marks when
  // several cover it), and "]" / "[" (or Alt+ArrowDown / Alt+ArrowUp) move the caret to the start of the next or
  // previous mark; a part of a long text not fetched yet is fetched first. Escape in the open mark's panel comes
  // back to the text where the caret was.
  // The caret's code-point offset when a mark was opened from the text: an offset, not a Range, as the blocks
  // around it are drawn anew after every save (a live Range would follow the removed nodes' parent).
  let caretBeforePanel = null;
  let pendingMove = 0;  // a move waiting for the next part of the text to come

  // The pieces where a mark starts (one of its marks is not on the piece before), in the order of the text.
  function markStarts(container) {
    const starts = [];
    let before = [];
    container.querySelectorAll(".p").forEach(function (piece) {
      const ids = piece.dataset.marks ? piece.dataset.marks.split(" ") : [];
      if (ids.some(function (id) { return before.indexOf(id) < 0; })) starts.push(piece);
      before = ids;
    });
    return starts;
  }

  function caretOffset(container) {
    const sel = window.getSelection();
    if (!sel || !sel.focusNode || !container.contains(sel.focusNode)) return 0;
    return boundaryOffset(container, sel.focusNode, sel.focusOffset);
  }

  // The caret in the piece, `into` code points from its start (0: at its start).
  function placeCaret(piece, into) {
    const text = piece.firstChild;
    const sel = window.getSelection();
    if (text) sel.collapse(text, sliceCodePoints(text.textContent, 0, into || 0).length);
    else sel.collapse(piece, 0);
    piece.scrollIntoView({ block: "center" });
  }

  function moveToMark(step) {
    const container = document.getElementById("doc-text");
    const at = caretOffset(container);
    const starts = markStarts(container);
    const found = step > 0
      ? starts.find(function (p) { return pieceStart(p) > at; })
      : starts.reverse().find(function (p) { return pieceStart(p) < at; });
    if (found) {
      placeCaret(found);
      return;
    }
    // Not among the parts drawn so far: the next part to be fetched after the caret, if any, then again.
    const waiting = step > 0 && Array.from(container.querySelectorAll(".part[data-lazy]")).find(function (part) {
      const first = part.querySelector(".p");
      return first && pieceStart(first) > at;
    });
    if (waiting && !pendingMove) {
      pendingMove = step;
      htmx.trigger(waiting, "near-viewport");
      return;
    }
    const info = document.getElementById("selection-info");
    if (info) info.textContent = step > 0 ? "No mark after the caret." : "No mark before the caret.";
  }

  function onTextKey(e, shortcuts) {
    const container = e.currentTarget;
    if (e.metaKey || (e.ctrlKey && !e.altKey)) return;
    if (e.key === "Enter" && !e.altKey && !e.shiftKey) {
      const piece = markAtCaret(container);
      if (!piece) return;
      e.preventDefault();
      const ids = piece.dataset.marks.split(" ");
      const panel = document.getElementById("mark-detail");
      const open = ids.indexOf(panel ? panel.dataset.annotation : "");
      caretBeforePanel = caretOffset(container);
      openMark(ids[(open + 1) % ids.length], true);
      return;
    }
    let step = 0;
    if ((e.key === "]" || e.key === "[") && !shortcuts[e.key]) step = e.key === "]" ? 1 : -1;
    else if (e.altKey && (e.key === "ArrowDown" || e.key === "ArrowUp")) step = e.key === "ArrowDown" ? 1 : -1;
    if (!step) return;
    e.preventDefault();
    moveToMark(step);
  }

  // Back to the text from the open mark's panel: the caret where it was, or at the open mark's start.
  function backToText() {
    const container = document.getElementById("doc-text");
    const panel = document.getElementById("mark-detail");
    if (!container) return;
    container.focus();
    const at = caretBeforePanel;
    const back = at === null ? null : Array.from(pieces(container)).find(function (p) {
      return pieceStart(p) <= at && at < pieceEnd(p);
    });
    if (back) {
      placeCaret(back, at - pieceStart(back));
    } else {
      const id = panel && panel.dataset.annotation;
      const piece = id && container.querySelector('.m[data-marks~="' + CSS.escape(id) + '"]');
      if (piece) placeCaret(piece);
    }
    if (panel && narrowScreen()) panel.hidden = true;  // the sheet covered the text
  }

  const narrowQuery = window.matchMedia ? window.matchMedia("(max-width: 900px)") : null;
  function narrowScreen() { return Boolean(narrowQuery && narrowQuery.matches); }

  function onPanelKey(e) {
    if (e.key !== "Escape" || e.defaultPrevented) return;
    const panel = document.getElementById("mark-detail");
    const active = document.activeElement;
    if (!panel || !panel.contains(active)) return;
    if (typingInField(active) || active.closest("details[open] form")) return;  // Escape there is the field's own
    e.preventDefault();
    backToText();
  }

  // The selection to mark now: the live one when it is in the text (selectionchange fires late, after
  // a quick Shift+Arrow then a shortcut key), else the last one seen there (focus moved to a button).
  function currentSelection() {
    const container = document.getElementById("doc-text");
    const sel = window.getSelection();
    if (container && sel && sel.anchorNode && container.contains(sel.anchorNode)) {
      lastSelection = selectionIn(container);
    }
    return lastSelection;
  }

  function createMark(labelId, exactly) {
    const form = document.getElementById("mark-form");
    if (!form || !currentSelection()) return;
    const mark = markable(lastSelection, exactly);
    if (!mark) return;
    form.elements.start.value = mark.start;
    form.elements.end.value = mark.end;
    form.elements.exact.value = mark.exact;
    form.elements.label.value = labelId;
    htmx.trigger(form, "submit");
  }

  // The label a key asks for, and whether Shift keeps the selection exactly. Shift+1 reads "!" (on a US
  // keyboard): the key's place (e.code) says it was the 1. A shortcut typed with Shift itself (an
  // AZERTY keyboard's 1) is the shortcut alone.
  function shortcutPressed(e, shortcuts) {
    if (shortcuts[e.key]) return { label: shortcuts[e.key], exactly: false };
    if (!e.shiftKey) return null;
    const digit = /^Digit(\d)$/.exec(e.code);
    const key = digit ? digit[1] : e.key.toLowerCase();
    return shortcuts[key] ? { label: shortcuts[key], exactly: true } : null;
  }

  function reattach(exactly) {
    const form = document.getElementById("reattach-form");
    const selection = currentSelection() && markable(lastSelection, exactly);
    if (!form) return;
    if (!selection) {
      form.querySelector(".meta").textContent = "First select the right text in the document.";
      return;
    }
    form.elements.start.value = selection.start;
    form.elements.end.value = selection.end;
    form.elements.exact.value = selection.exact;
    htmx.trigger(form, "submit");
  }

  function clearSelection() {
    const sel = window.getSelection();
    if (sel) sel.removeAllRanges();
    lastSelection = null;
    setToolbar(false);
  }

  function openMark(id, focusPanel) {
    const container = document.getElementById("doc-text");
    const url = container.dataset.annotationUrl.replace(/0\/$/, id + "/");
    htmx.ajax("GET", url, { target: "#mark-detail", swap: "outerHTML" }).then(function () {
      if (focusPanel) document.getElementById("mark-detail").focus();
      keepMarkInView(id);
    });
  }

  // On a narrow screen the open mark is a sheet over the lower part of the text: the mark stays in sight above it.
  function keepMarkInView(id) {
    const panel = document.getElementById("mark-detail");
    const piece = document.querySelector('#doc-text .m[data-marks~="' + CSS.escape(String(id)) + '"]');
    if (!narrowScreen() || !panel || !piece) return;
    const sheetTop = panel.getBoundingClientRect().top;
    const where = piece.getBoundingClientRect();
    if (where.bottom > sheetTop - 8 || where.top < 0) window.scrollBy(0, where.top - Math.max(0, sheetTop - where.height) / 2);
  }

  // Outline the open mark's pieces in the text, so the panel and the text point at the same thing.
  function showOpenMark() {
    const panel = document.getElementById("mark-detail");
    const id = panel && panel.dataset.annotation;
    document.querySelectorAll("#doc-text .m.focused").forEach(function (p) { p.classList.remove("focused"); });
    if (!id) return;
    document.querySelectorAll('#doc-text .m[data-marks~="' + CSS.escape(id) + '"]').forEach(function (p) {
      p.classList.add("focused");
    });
  }

  // A long text comes in parts, and the list of marks in pages: each fetches itself (htmx, on the
  // event "near-viewport") when it comes within a few screens of the viewport.
  const nearViewport = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      nearViewport.unobserve(entry.target);
      htmx.trigger(entry.target, "near-viewport");
    });
  }, { rootMargin: "1500px 0px" }) : null;

  function watchLazy(root) {
    const lazy = root.matches && root.matches("[data-lazy]") ? [root] : Array.from(root.querySelectorAll("[data-lazy]"));
    lazy.forEach(function (el) {
      if (nearViewport) nearViewport.observe(el);
      else htmx.trigger(el, "near-viewport");
    });
  }

  // A part drawn before the page's last poll may lack what that poll brought: poll again from its revision.
  function catchUpPart(part) {
    const since = document.getElementById("since");
    const revision = parseInt(part.dataset.revision, 10);
    if (since && revision < parseInt(since.value, 10)) since.value = revision;
  }

  // The list's entries are sorted by (start, end, id), kept in data-key as "start.end.id".
  function entryKey(li) { return li.dataset.key.split(".").map(Number); }
  function compareKeys(a, b) {
    for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return 0;
  }

  // After a change, the server sends the regions of the text it touched and every listed mark there:
  // entries of those regions are replaced; new ones past the pages loaded so far wait for their page.
  function applyListUpdates() {
    const box = document.getElementById("list-updates");
    const list = document.getElementById("mark-entries");
    if (!box || !list) return;
    // Regions: every entry there is replaced by what came. None: the entries that came are all that changed.
    const regions = box.dataset.regions ? box.dataset.regions.split(" ").map(function (r) { return r.split("-").map(Number); }) : [];
    const incoming = Array.from(box.querySelectorAll("li.mark-item"));
    if (!regions.length && !incoming.length) return;
    box.dataset.regions = "";
    list.querySelectorAll("li.mark-item").forEach(function (li) {
      const k = entryKey(li);
      if (regions.some(function (r) { return k[0] < r[1] && r[0] < k[1]; })) li.remove();
    });
    incoming.forEach(function (li) {
      const old = list.querySelector("#" + CSS.escape(li.id));
      if (old) old.remove();
    });
    const more = list.querySelector("li.more");
    const loadedUpTo = more ? more.dataset.after.split(".").map(Number) : null;
    const entries = Array.from(list.querySelectorAll("li.mark-item"));
    incoming.forEach(function (li) {
      const k = entryKey(li);
      if (loadedUpTo && compareKeys(k, loadedUpTo) > 0) return;
      const before = entries.find(function (other) { return compareKeys(entryKey(other), k) > 0; });
      list.insertBefore(li, before || more || list.querySelector("li.empty"));
      entries.splice(before ? entries.indexOf(before) : entries.length, 0, li);
    });
    const empty = list.querySelector("li.empty");
    if (empty) empty.hidden = entries.length > 0;
    box.replaceChildren();
  }

  // A download is a plain submission of its own form (#export-form), never an htmx request: htmx would take an
  // export button for the submitter of the filters' form and fetch the file into the list at the next filter
  // change. The form sends the filters of the form it names (data-filters) as they are now.
  function addFilters(e) {
    const filters = document.getElementById(e.target.dataset.filters);
    if (filters) new FormData(filters).forEach(function (value, name) { e.formData.append(name, value); });
  }

  // The open mark, live (issue 18, item 6). The poll names the open mark and its version (#open-mark); when the
  // mark changed or went since, the answer brings its panel as it is now and a notice of the change, in
  // <template id="mark-update">. A panel holding nothing unsaved is replaced by the new one. One with unsaved
  // input keeps it and shows the notice instead: the saved version beside what was typed, a button to take the
  // saved one, and its mark's forms now at the new version, so a save replaces the saved version knowingly.

  function hasUnsavedInput(panel) {
    if (panel.querySelector("details[open] form")) return true;  // linking, or a new source, under way
    return Array.from(panel.querySelectorAll("input, textarea, select")).some(function (field) {
      if (field.type === "hidden" || field.type === "submit" || field.type === "button") return false;
      if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
      if (field.tagName === "SELECT") {
        const options = Array.from(field.options);
        return field.selectedIndex !== Math.max(0, options.findIndex(function (o) { return o.defaultSelected; }));
      }
      return field.value !== field.defaultValue;
    });
  }

  function applyMarkUpdate() {
    const update = document.getElementById("mark-update");
    if (!update || !update.content.childElementCount) return;
    const fresh = update.content.querySelector(".mark-detail");
    const notice = update.content.querySelector(".mark-changed");
    const markId = update.dataset.mark;
    update.content.replaceChildren();
    const panel = document.getElementById("mark-detail");
    if (!panel || panel.dataset.annotation !== markId || !fresh || !notice) return;  // another mark opened since
    if (!hasUnsavedInput(panel)) {
      const focused = panel.contains(document.activeElement) ? document.activeElement.id : "";
      const replacement = document.importNode(fresh, true);
      panel.replaceWith(replacement);
      htmx.process(replacement);
      const again = focused && document.getElementById(focused);
      if (again) again.focus();
      showOpenMark();
      showLinkedMarks();
      showPersonFields();
      return;
    }
    const old = panel.querySelector(".mark-changed");
    if (old) old.remove();
    const shown = document.importNode(notice, true);
    panel.insertBefore(shown, panel.querySelector("h2") || panel.firstChild);
    htmx.process(shown);
    const version = notice.dataset.version;
    const forms = panel.querySelectorAll(".mark-edit, .mark-delete, .mark-review");
    if (!version) {  // deleted: nothing left to save to, but what was typed stays to be copied
      forms.forEach(function (form) { form.querySelectorAll("button").forEach(function (b) { b.disabled = true; }); });
      return;
    }
    forms.forEach(function (form) { form.elements.version.value = version; });
    const open = document.getElementById("open-mark");
    if (open) open.value = markId + "." + version;  // told once
  }

  // A search result's link opens the page at a hit: ?at=start-end (code points) selects it, ready to be marked.
  function domPoint(piece, offset) {
    const node = piece.firstChild;
    if (!node) return null;
    return [node, sliceCodePoints(node.data, 0, offset - pieceStart(piece)).length];
  }

  function showPlace(container) {
    const match = /^(\d+)-(\d+)$/.exec(new URLSearchParams(window.location.search).get("at") || "");
    if (!match) return;
    const start = parseInt(match[1], 10), end = parseInt(match[2], 10);
    let first = null, last = null;
    for (const piece of pieces(container)) {
      if (pieceStart(piece) >= end) break;
      if (!first && pieceEnd(piece) > start) first = piece;
      if (first) last = piece;
    }
    if (!first) return;
    const from = domPoint(first, Math.max(start, pieceStart(first)));
    const to = domPoint(last, Math.min(end, pieceEnd(last)));
    if (!from || !to) return;
    const range = document.createRange();
    range.setStart(from[0], from[1]);
    range.setEnd(to[0], to[1]);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    first.scrollIntoView({ block: "center" });
  }

  function typingInField(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT");
  }

  // Focus that follows a save from the open mark's panel (issue 26). The answer replaces the whole panel, which took
  // the focused control with it: after an error, focus goes to the field at fault (or the message); after a save, to
  // the control that was used, found again in the new panel; when it is gone (a removed citation, a saved link), to
  // the heading of its section; else to the panel.
  let panelWrite = null;  // {elt, action, id, name, value, text, section} of the write on its way

  function onPanelRequest(e) {
    // Only the panel's forms' writes: a search on its way from a field of the same form (the source and mark
    // pickers) is not a save, and must neither take the place of one nor move the focus when it lands.
    const form = e.detail.elt;
    const panel = document.getElementById("mark-detail");
    if (!form || !form.matches || !form.matches("form[hx-post]") || !panel || !panel.contains(form)) return;
    const active = panel.contains(document.activeElement) ? document.activeElement : null;
    const submitter = e.detail.requestConfig && e.detail.requestConfig.triggeringEvent && e.detail.requestConfig.triggeringEvent.submitter;
    const used = active && active !== panel ? active : submitter;
    const section = form.closest("section[id], section[aria-labelledby]");
    panelWrite = {
      elt: form, action: form.getAttribute("hx-post"), id: used ? used.id : "", tag: used ? used.tagName : "",
      name: used ? used.getAttribute("name") : "", value: used ? used.value : "",
      text: used ? used.textContent.trim() : "",
      section: section ? (section.id || section.getAttribute("aria-labelledby")) : "",
    };
  }

  function shown(el) { return el && el.getClientRects().length > 0; }

  function focusHere(el) {
    if (!shown(el)) return false;
    if (el.tabIndex < 0 && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus();
    return document.activeElement === el;
  }

  function usedAgain(panel, write) {
    if (write.id && panel.querySelector("#" + CSS.escape(write.id))) return document.getElementById(write.id);
    const form = Array.from(panel.querySelectorAll("form[hx-post]")).find(function (f) { return f.getAttribute("hx-post") === write.action; });
    if (!form || !write.tag) return null;
    return Array.from(form.querySelectorAll(write.tag)).find(function (el) {
      return el.getAttribute("name") === write.name && el.value === write.value && (el.tagName !== "BUTTON" || el.textContent.trim() === write.text);
    }) || null;
  }

  function onPanelSettled(e) {
    const write = panelWrite;
    if (!write || !e.detail.requestConfig || e.detail.requestConfig.elt !== write.elt) return;
    panelWrite = null;
    const panel = document.getElementById("mark-detail");
    if (!panel) return;
    const invalid = panel.querySelector('[aria-invalid="true"]');
    const alert = panel.querySelector(".error[role=alert], .mark-changed[role=alert]");
    if (invalid && focusHere(invalid)) return;
    if (alert && focusHere(alert)) return;
    if (focusHere(usedAgain(panel, write))) return;
    const section = write.section && (document.getElementById(write.section) || panel.querySelector('[aria-labelledby="' + CSS.escape(write.section) + '"]'));
    const heading = section && (section.matches("h2, h3") ? section : section.querySelector("h2, h3"));
    if (heading && panel.contains(heading) && focusHere(heading)) return;
    panel.focus();
  }

  // A page drawn again after a refused form (no htmx): focus on the first field at fault, or else on the message.
  function focusFirstError() {
    const main = document.getElementById("main");
    if (!main || main.contains(document.activeElement) && document.activeElement !== main) return;
    const invalid = main.querySelector('form [aria-invalid="true"]');
    if (invalid && focusHere(invalid)) return;
    const alert = main.querySelector(".error[role=alert]");
    if (alert && alert.closest("form, section.narrow")) focusHere(alert);
  }

  // A box that scrolls (a wide table on a phone, a long quotation) is reached from the keyboard, and named, only while
  // its content is larger than it: data-scrolls holds its name.
  function keyboardScrollable() {
    document.querySelectorAll("[data-scrolls]").forEach(function (box) {
      const scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", box.dataset.scrolls);
      } else if (!scrolls && box.getAttribute("tabindex") === "0") {
        ["tabindex", "role", "aria-label"].forEach(function (name) { box.removeAttribute(name); });
      }
    });
  }

  // What other editors did, said in the one live region (issue 26): "editor2 added a Claim: “…”". Read from the
  // blocks of the text a poll's answer redraws, against the blocks they replace (parts of the text not drawn yet
  // left out): marks that came, went, or changed label. Said at most once every NEWS_GAP ms; what comes meanwhile
  // is said together then.
  const NEWS_GAP = 5000;
  let newsQueue = [];
  let newsSaidAt = 0;
  let newsTimer = null;

  function marksOfBlocks(blocks) {
    const marks = new Map();
    blocks.forEach(function (block) {
      block.querySelectorAll(".m").forEach(function (piece) {
        const ids = piece.dataset.marks.split(" ");
        const names = (piece.title || "").split("; ");
        ids.forEach(function (id, i) {
          const mark = marks.get(id) || { name: names.length === ids.length ? names[i] : "mark", text: "" };
          mark.text += piece.textContent;
          marks.set(id, mark);
        });
      });
    });
    return marks;
  }

  function quoted(text) {
    const chars = Array.from(text.trim().replace(/\s+/g, " "));
    return "“" + (chars.length > 80 ? chars.slice(0, 80).join("") + "…" : chars.join("")) + "”";
  }

  // "Claim by editor2" → {label: "Claim", author: "editor2"}.
  function labelAndAuthor(name) {
    const at = name.lastIndexOf(" by ");
    return at < 0 ? { label: name, author: "someone" } : { label: name.slice(0, at), author: name.slice(at + 4) };
  }

  function article(word) { return /^[aeiou]/i.test(word) ? "an " + word : "a " + word; }

  function newsOfPoll(responseText) {
    const incoming = new DOMParser().parseFromString(responseText, "text/html");
    const fresh = [], old = [];
    incoming.querySelectorAll("[id^=block-]").forEach(function (block) {
      const now = document.getElementById(block.id);
      if (!now || now.closest(".part[data-lazy]")) return;  // a part not drawn yet: nothing to compare with
      fresh.push(block);
      old.push(now);
    });
    const before = marksOfBlocks(old), after = marksOfBlocks(fresh);
    const said = [];
    after.forEach(function (mark, id) {
      const was = before.get(id);
      const now = labelAndAuthor(mark.name);
      if (!was) said.push(now.author + " added " + article(now.label) + ": " + quoted(mark.text));
      else if (was.name !== mark.name) said.push(labelAndAuthor(was.name).label + " by " + now.author + " is now " + article(now.label) + ": " + quoted(mark.text));
    });
    before.forEach(function (mark, id) {
      if (!after.has(id)) said.push(mark.name + " was deleted: " + quoted(mark.text));
    });
    return said;
  }

  function sayNews() {
    newsTimer = null;
    if (!newsQueue.length) return;
    const items = newsQueue;
    newsQueue = [];
    newsSaidAt = Date.now();
    const words = items.length <= 3 ? items.join(". ") : items.slice(0, 2).join(". ") + ". And " + (items.length - 2) + " more changes";
    announce(words + ".");
  }

  function queueNews(items) {
    if (!items.length) return;
    newsQueue = newsQueue.concat(items);
    if (newsTimer) return;
    newsTimer = window.setTimeout(sayNews, Math.max(0, newsSaidAt + NEWS_GAP - Date.now()));
  }

  function onPollAnswer(e) {
    const elt = e.detail.requestConfig && e.detail.requestConfig.elt;
    if (!elt || elt.id !== "poller" || !e.detail.xhr || e.detail.xhr.status !== 200) return;
    queueNews(newsOfPoll(e.detail.serverResponse || e.detail.xhr.responseText || ""));
  }

  // Each change asks for the count with an element added to #count-refreshes, which goes once answered: one that
  // replaced the last (as it did) left that one's answer on its way from a detached element, in which htmx then
  // looked for the answer's out-of-band parts (#orphans): htmx:oobErrorNoTarget.
  function dropCountRefresh(e) {
    const asker = e.detail.elt;
    if (asker && asker.classList && asker.classList.contains("count-refresh")) asker.remove();
  }

  function setUp() {
    const container = document.getElementById("doc-text");
    if (!container) return;

    // The text is focusable and selectable from the keyboard, but never editable.
    ["beforeinput", "paste", "drop", "cut"].forEach(function (type) {
      container.addEventListener(type, function (e) { e.preventDefault(); });
    });
    document.addEventListener("selectionchange", onSelectionChange);
    document.addEventListener("keydown", onShift);
    document.addEventListener("keyup", onShift);
    window.addEventListener("blur", function () { shiftHeld = false; });
    const exportForm = document.getElementById("export-form");
    if (exportForm) exportForm.addEventListener("formdata", addFilters);

    const toolbar = document.getElementById("toolbar");
    toolbar.addEventListener("mousedown", function (e) { e.preventDefault(); });  // keep the selection
    toolbar.addEventListener("click", function (e) {
      const button = e.target.closest(".label-btn");
      if (button && !button.disabled) createMark(button.dataset.label, e.shiftKey);
    });

    const shortcuts = {};
    toolbar.querySelectorAll(".label-btn").forEach(function (b) {
      if (b.dataset.shortcut) shortcuts[b.dataset.shortcut] = b.dataset.label;
    });
    document.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey || typingInField(document.activeElement)) return;
      if (e.key === "Escape" && lastSelection) { clearSelection(); return; }
      const pressed = shortcutPressed(e, shortcuts);
      if (pressed && currentSelection()) {
        e.preventDefault();
        createMark(pressed.label, pressed.exactly);
      }
    });

    container.addEventListener("click", function (e) {
      const sel = window.getSelection();
      if (sel && !sel.isCollapsed) return;
      const piece = e.target.closest(".m");
      if (piece) openMark(piece.dataset.marks.split(" ")[0], false);
    });
    container.addEventListener("keydown", function (e) { onTextKey(e, shortcuts); });
    document.addEventListener("keydown", onPanelKey);
    document.body.addEventListener("click", function (e) {
      if (e.target.closest && e.target.closest(".panel-close")) backToText();
    });
    document.body.addEventListener("htmx:beforeRequest", onPanelRequest);
    document.body.addEventListener("htmx:afterSettle", onPanelSettled);
    document.body.addEventListener("htmx:beforeSwap", onPollAnswer);
    document.body.addEventListener("htmx:afterRequest", dropCountRefresh);

    document.body.addEventListener("annotation-saved", clearSelection);

    // Re-attaching a flagged or orphaned mark: the button sends the current selection.
    document.body.addEventListener("mousedown", function (e) {
      if (e.target.closest(".reattach-btn")) e.preventDefault();  // keep the selection
    });
    document.body.addEventListener("click", function (e) {
      if (e.target.closest(".reattach-btn")) reattach(e.shiftKey);
    });
    document.body.addEventListener("htmx:afterSettle", showOpenMark);
    showOpenMark();
    showPlace(container);
    document.body.addEventListener("htmx:afterSettle", applyListUpdates);
    document.body.addEventListener("htmx:afterSettle", applyMarkUpdate);
    htmx.onLoad(function (elt) {
      watchLazy(elt);
      if (elt.classList && elt.classList.contains("part") && elt.dataset.revision) {
        catchUpPart(elt);
        if (pendingMove) {
          const step = pendingMove;
          pendingMove = 0;
          moveToMark(step);
        }
      }
    });
    document.body.addEventListener("htmx:afterSettle", function (e) {
      const source = e.detail.requestConfig && e.detail.requestConfig.elt;
      if (source && source.closest && source.closest("#mark-list, #mark-detail ul")) {
        const panel = document.getElementById("mark-detail");
        // Unless the user is in the panel already (a key pressed between the swap and the settle, "l" say).
        if (panel && !panel.contains(document.activeElement)) panel.focus();
      }
    });
  }

  // The answers to the page's writes name what happened (django-htmx's trigger_client_event); each is said to
  // screen readers in the one persistent live region, emptied first so that the same words are said again.
  const SAID = {
    "annotation-saved": "Mark saved.", "annotation-deleted": "Mark deleted.", "citation-changed": "Sources saved.",
    "link-saved": "Link saved.", "link-deleted": "Link deleted.", "review-changed": "Review saved."
  };
  function announce(words) {
    const box = document.getElementById("announcer");
    if (!box) return;
    box.textContent = "";
    window.setTimeout(function () { box.textContent = words; }, 50);
  }
  Object.keys(SAID).forEach(function (name) {
    document.addEventListener(name, function () { announce(SAID[name]); });
  });

  // Offline: a failed request (the poll included) shows the banner, as does a proxy's answer that the app is
  // unreachable (502, 503, 504: the servers behind it are down); the next answer from the app hides it.
  document.addEventListener("htmx:sendError", function () {
    const banner = document.getElementById("offline");
    if (banner) banner.hidden = false;
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    const banner = document.getElementById("offline");
    const status = e.detail.xhr ? e.detail.xhr.status : 0;
    if (banner && status > 0) banner.hidden = [502, 503, 504].indexOf(status) < 0;
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();

  function setUpEveryPage() {
    focusFirstError();
    keyboardScrollable();
    document.body.addEventListener("htmx:afterSettle", keyboardScrollable);
    document.body.addEventListener("toggle", keyboardScrollable, true);
    window.addEventListener("resize", keyboardScrollable);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpEveryPage);
  else setUpEveryPage();

  // The pure text functions, for the browser tests to try on many texts.
  window.annotator = Object.freeze({ snapToWords: snapToWords });

  // ---------------------------------------------------------------------------------------------
  // Review queue: j / k move between marks, a / r accept or reject the focused one, n writes a note,
  // Escape leaves the note. After a review, focus moves on to the next pending mark.

  function queueItems() { return Array.from(document.querySelectorAll("#queue .review-item")); }

  function isPending(item) { return item.dataset.reviewItem === "pending"; }

  function focusQueueItem(item) {
    if (!item) return;
    item.focus();
    item.scrollIntoView({ block: "nearest" });
  }

  function currentQueueItem() {
    return document.activeElement && document.activeElement.closest ? document.activeElement.closest("#queue .review-item") : null;
  }

  function moveInQueue(step) {
    const items = queueItems();
    if (!items.length) return;
    const index = items.indexOf(currentQueueItem());
    const next = index < 0 ? (step > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, index + step));
    focusQueueItem(items[next]);
  }

  function reviewCurrent(key) {
    const item = currentQueueItem();
    if (!item) { focusQueueItem(queueItems().find(isPending)); return; }
    const button = isPending(item) && item.querySelector('[data-review-action="' + key + '"]');
    if (button) button.click();
  }

  function nextPendingAfter(item) {
    const items = queueItems();
    const index = items.indexOf(item);
    return items.slice(index + 1).find(isPending) || items.slice(0, Math.max(index, 0)).find(isPending) || null;
  }

  function afterReview(item) {
    if (!item) return;
    if (isPending(item) || item.querySelector("[role=alert]")) { focusQueueItem(item); return; }
    const next = nextPendingAfter(item);
    if (next) { focusQueueItem(next); return; }
    const done = document.getElementById("queue-done");
    if (done) { done.hidden = false; done.focus(); }
  }

  function onQueueKey(e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const active = document.activeElement;
    if (typingInField(active)) {
      if (e.key === "Escape" && active.closest("#queue .review-item")) focusQueueItem(active.closest(".review-item"));
      return;
    }
    if (e.key === "j") { e.preventDefault(); moveInQueue(1); }
    else if (e.key === "k") { e.preventDefault(); moveInQueue(-1); }
    else if (e.key === "a" || e.key === "r") { e.preventDefault(); reviewCurrent(e.key); }
    else if (e.key === "n") {
      const item = currentQueueItem();
      const note = item && item.querySelector("textarea");
      if (note) { e.preventDefault(); note.focus(); }
    }
  }

  function onQueueSettled(e) {
    const form = e.detail.requestConfig && e.detail.requestConfig.elt;
    if (!form || !form.classList || !form.classList.contains("review-form")) return;
    afterReview(document.getElementById(form.getAttribute("hx-target").slice(1)));
  }

  function setUpQueue() {
    if (!document.getElementById("queue")) return;
    document.addEventListener("keydown", onQueueKey);
    document.body.addEventListener("htmx:afterSettle", onQueueSettled);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpQueue);
  else setUpQueue();

  // ---------------------------------------------------------------------------------------------
  // Links between marks (issue 8). "l" opens "Link to…" on the open mark. While it is open, a click on
  // a mark in the text or in the list picks it as the link's other end instead of opening it. The open
  // mark's linked marks in this document are outlined and joined to it by a line in the margin. When
  // the poll brings changes, the open mark's links section is fetched again (unless the editor is
  // working in it).

  function linkPickingForm() {
    const details = document.getElementById("link-new");
    return details && details.open ? document.getElementById("link-form") : null;
  }

  function pickLinkTarget(form, markId) {
    const url = form.dataset.targetsUrl + "?mark=" + encodeURIComponent(markId);
    htmx.ajax("GET", url, { target: "#link-results", swap: "outerHTML" }).then(function () {
      const radio = document.querySelector("#link-results input[type=radio]:checked");
      if (radio) radio.focus();
    });
  }

  function onLinkPickClick(e) {
    const form = linkPickingForm();
    if (!form || !e.target.closest) return;
    const openId = document.getElementById("mark-detail").dataset.annotation;
    const piece = e.target.closest("#doc-text .m");
    const item = e.target.closest("#mark-list a[data-mark]");
    if (!piece && !item) return;
    if (piece) {
      const sel = window.getSelection();
      if (sel && !sel.isCollapsed) return;
    }
    e.preventDefault();
    e.stopPropagation();  // neither open the mark nor let htmx fetch it: it is being picked
    const ids = piece ? piece.dataset.marks.split(" ") : [item.dataset.mark];
    const markId = ids.find(function (id) { return id !== openId; });
    if (markId) pickLinkTarget(form, markId);
  }

  function showPersonFields() {
    const form = document.getElementById("link-form");
    const select = form && form.querySelector(".link-type");
    const person = form && form.querySelector(".link-person");
    if (!select || !person) return;
    const option = select.options[select.selectedIndex];
    person.hidden = !(option && option.dataset.person === "true");
  }

  function showLinkedMarks() {
    const container = document.getElementById("doc-text");
    if (!container) return;
    container.querySelectorAll(".m.linked").forEach(function (p) { p.classList.remove("linked"); });
    container.querySelectorAll(".block.link-path").forEach(function (b) { b.classList.remove("link-path", "link-end"); });
    const panel = document.getElementById("mark-detail");
    const section = document.getElementById("mark-links");
    const openId = panel && panel.dataset.annotation;
    const linked = section ? (section.dataset.linkedMarks || "").split(" ").filter(Boolean) : [];
    if (!openId || !linked.length) return;
    const selector = function (id) { return '.m[data-marks~="' + CSS.escape(id) + '"]'; };
    const blockIndex = function (p) { return parseInt(p.closest(".block").id.slice("block-".length), 10); };
    const ends = new Set();
    container.querySelectorAll(linked.map(selector).join(",")).forEach(function (p) {
      p.classList.add("linked");
      ends.add(blockIndex(p));
    });
    container.querySelectorAll(selector(openId)).forEach(function (p) { ends.add(blockIndex(p)); });
    const block = function (i) { return document.getElementById("block-" + i); };
    const indexes = Array.from(ends);
    if (indexes.length < 2) {
      indexes.forEach(function (i) { block(i).classList.add("link-path", "link-end"); });
      return;
    }
    const first = Math.min.apply(null, indexes), last = Math.max.apply(null, indexes);
    for (let i = first; i <= last; i++) block(i).classList.add("link-path");
    indexes.forEach(function (i) { block(i).classList.add("link-end"); });
  }

  function refreshLinksAfterPoll(e) {
    // The request's own element says who asked: the poller, whose answers are all out of band.
    const elt = e.detail && e.detail.requestConfig && e.detail.requestConfig.elt;
    if (!elt || elt.id !== "poller" || !e.detail.xhr || e.detail.xhr.status !== 200) return;
    const section = document.getElementById("mark-links");
    const details = document.getElementById("link-new");
    if (!section || section.contains(document.activeElement) || (details && details.open)) return;
    const update = document.getElementById("mark-update");
    if (update && update.content.childElementCount) return;  // the whole panel comes (applyMarkUpdate)
    htmx.trigger(section, "links-refresh");
  }

  // A refresh asked for while nobody was in the links section lands after the user went in (pressed "l", opened
  // "Link to…"): the section is kept as it is, with the caret and what was typed, and the next poll refreshes it.
  function keepLinksInUse(e) {
    const section = document.getElementById("mark-links");
    if (!section || e.detail.target !== section || e.detail.requestConfig.triggeringEvent?.type !== "links-refresh") return;
    const details = document.getElementById("link-new");
    if (section.contains(document.activeElement) || (details && details.open)) e.detail.shouldSwap = false;
  }

  // "l" opens the open mark's "Link to…" and puts the caret in its search.
  function onLinkKey(e) {
    if (e.key !== "l" || e.ctrlKey || e.metaKey || e.altKey || typingInField(document.activeElement)) return;
    const details = document.getElementById("link-new");
    // A label may have taken "l" as its shortcut; then the label wins.
    if (!details || document.querySelector('#toolbar [data-shortcut="l"]')) return;
    e.preventDefault();
    details.open = true;
    const search = details.querySelector("input[type=search]");
    if (search) search.focus();
  }

  // Linking from the keyboard. Enter in the link form never saves the link (the browser's implicit submission
  // did, with the type preselected): in "Find a mark by its words" Enter, like ArrowDown, picks the checked or
  // first result and moves to it, searching first when the results shown are not for the words typed; on a
  // result it keeps that one. Saving is the "Save the link" button's.
  let pickWhenFound = false;  // Enter came before the results for the words typed
  let keptPick = null;  // {value, focused}: the result picked while the results are fetched again

  function linkResultsFor(search) {
    const results = document.getElementById("link-results");
    if (!results || results.dataset.q !== search.value) return null;
    return Array.from(results.querySelectorAll("input[type=radio]"));
  }

  function pickResult(radios) {
    const radio = radios.find(function (r) { return r.checked; }) || radios[0];
    if (!radio) return;
    radio.checked = true;
    radio.focus();
  }

  function pickFromSearch(search) {
    const radios = linkResultsFor(search);
    if (radios) pickResult(radios);
    else if (search.value.trim()) {
      pickWhenFound = true;
      htmx.trigger(search, "search");
    }
  }

  function onLinkFormKey(e) {
    const field = e.target;
    if (!field.closest || !field.closest("#link-form") || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Enter" && field.tagName === "INPUT") {
      e.preventDefault();
      if (field.type === "search") pickFromSearch(field);
      else if (field.type === "radio") field.checked = true;
    } else if (e.key === "ArrowDown" && field.type === "search") {
      e.preventDefault();
      pickFromSearch(field);
    }
  }

  function onLinkResultsSwap(e) {
    const old = e.detail.target;
    if (!old || old.id !== "link-results") return;
    const checked = old.querySelector("input[type=radio]:checked");
    keptPick = checked ? { value: checked.value, focused: checked === document.activeElement } : null;
  }

  function onLinkResultsSettled() {
    const results = document.getElementById("link-results");
    const search = document.querySelector("#link-form input[type=search]");
    if (!results || !search) return;
    if (keptPick) {
      const radio = results.querySelector('input[type=radio][value="' + CSS.escape(keptPick.value) + '"]');
      if (radio) {
        radio.checked = true;
        if (keptPick.focused) radio.focus();
      }
      keptPick = null;
    }
    if (pickWhenFound && results.dataset.q === search.value) {
      pickWhenFound = false;
      pickResult(Array.from(results.querySelectorAll("input[type=radio]")));
    }
  }

  function setUpLinks() {
    if (!document.getElementById("doc-text")) return;
    document.addEventListener("click", onLinkPickClick, true);
    document.addEventListener("keydown", onLinkKey);
    document.body.addEventListener("change", function (e) {
      if (e.target.classList && e.target.classList.contains("link-type")) showPersonFields();
    });
    document.body.addEventListener("htmx:afterSettle", function () { showPersonFields(); showLinkedMarks(); });
    document.body.addEventListener("htmx:afterRequest", refreshLinksAfterPoll);
    document.addEventListener("keydown", onLinkFormKey);
    document.body.addEventListener("input", function (e) {
      if (e.target.closest && e.target.closest("#link-form") && e.target.type === "search") pickWhenFound = false;
    });
    document.body.addEventListener("htmx:beforeSwap", onLinkResultsSwap);
    document.body.addEventListener("htmx:beforeSwap", keepLinksInUse);
    document.body.addEventListener("htmx:afterSettle", onLinkResultsSettled);
    showPersonFields();
    showLinkedMarks();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpLinks);
  else setUpLinks();

  // Citing a text from a PDF: the locator holds the mark's page(s) while the document's own source is the one
  // chosen, and is emptied when another source is chosen (unless the user wrote their own locator).
  function syncPageLocator(form) {
    const locator = form && form.querySelector("input[data-page-locator]");
    if (!locator) return;
    const chosen = form.querySelector("input[name=source]:checked");
    const own = chosen && chosen.hasAttribute("data-own-source");
    if (own && !locator.value) locator.value = locator.dataset.pageLocator;
    else if (!own && locator.value === locator.dataset.pageLocator) locator.value = "";
  }

  document.addEventListener("change", function (e) {
    if (e.target.name === "source" && e.target.closest) syncPageLocator(e.target.closest(".cite-form"));
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    const form = e.target.closest && e.target.closest(".cite-form");
    if (form) syncPageLocator(form);
  });
})();

// "?" on any page shows that page's keys (the page's own <dialog id="shortcut-help">); so does the "Keys" button.
(function () {
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT");
  }

  function showKeys() {
    const dialog = document.getElementById("shortcut-help");
    if (dialog && !dialog.open) dialog.showModal();
  }

  function setUpKeysHelp() {
    document.addEventListener("keydown", function (e) {
      if (e.key !== "?" || e.ctrlKey || e.metaKey || e.altKey || typing(document.activeElement)) return;
      e.preventDefault();
      showKeys();
    });
    const button = document.getElementById("keys-button");
    if (button) button.addEventListener("click", showKeys);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpKeysHelp);
  else setUpKeysHelp();
})();

// "Copy" beside a value shown once (a new API token): the clipboard where the browser allows it (a secure page),
// else the value selected for Ctrl+C; the status the button names (data-says) says which.
(function () {
  document.addEventListener("click", function (e) {
    const button = e.target.closest && e.target.closest("button[data-copies]");
    if (!button) return;
    const field = document.getElementById(button.dataset.copies);
    const status = document.getElementById(button.dataset.says);
    if (!field) return;
    field.focus();
    field.select();
    const said = function (text) { if (status) status.textContent = text; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        function () { said("Copied."); },
        function () { said("Selected: press Ctrl+C (or Cmd+C) to copy."); }
      );
    } else {
      said("Selected: press Ctrl+C (or Cmd+C) to copy.");
    }
  });
})();
