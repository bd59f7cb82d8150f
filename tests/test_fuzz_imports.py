"""Random files for import_annotations: exports of ours with cells, values and bytes changed at random, and noise.

Whatever the file: the command imports or fails with a CommandError that says why (never a traceback),
and afterwards every span is its document's text at its offsets (integrity.problems() finds nothing).
"""

from __future__ import annotations

import csv
import io
import json
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from annotator import integrity, services
from annotator.models import Annotation, LinkType
from annotator.services import links, sources

from .factories import DocumentFactory
from .test_fuzz_views import HOSTILE, TEXT, alone, numbers

FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

LONE_SURROGATE = "\ud800"
values = st.one_of(
    st.text(max_size=20),
    st.sampled_from(HOSTILE + ["", LONE_SURROGATE, "x\udfffy", "9" * 5000, "2024-13-01T00:00:00Z"]),
    numbers.map(str),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | values,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)


@pytest.fixture
def exported(project, annotator, annotator2, manager, labels, tmp_path):
    """Our exports of a document's marks (a citation, a link), the marks then deleted so that an import makes them."""
    document = DocumentFactory(project=project, title="Fuzzed", text=TEXT)

    def mark(user, word, label="claim"):
        start = TEXT.index(word)
        return services.annotate(
            user=user, document=document, start=start, end=start + len(word), exact=word, label=labels[label]
        )

    first, second = mark(annotator, "Did"), mark(annotator2, "Stalin")
    mark(annotator, "שלום", "quotation")
    source = sources.create_source(user=annotator, project=project, type="book", title="Getty", doi="10.1/x")
    sources.cite_source(user=annotator, annotation=first, source=source, locator="p. 2")
    links.create_link(
        user=annotator,
        from_annotation=first,
        to_annotation=second,
        type=LinkType.objects.get(project=project, key="same-as"),
    )
    files = {}
    for name, fmt in [("marks.csv", "csv"), ("links.csv", "links-csv"), ("marks.jsonld", "jsonld")]:
        call_command("export_annotations", "--format", fmt, "--raw", "-o", str(tmp_path / name))
        files[name] = (tmp_path / name).read_text(encoding="utf-8")
    for annotation in Annotation.objects.all():
        services.delete_annotation(user=annotation.created_by, annotation=annotation)
    return Exported(files, tmp_path / "in", tmp_path / "in-links.csv")


class Exported(SimpleNamespace):
    def __init__(self, files, path, links_path):
        super().__init__(files=files, path=path, links_path=links_path)

    def __repr__(self):  # what a failing example prints: not the whole files
        return "exported"


def run_import(path, *options) -> str:
    """Import; the outcome, or the CommandError's message. Any other exception fails the test."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_annotations", str(path), *options, stdout=out, stderr=err)
    except CommandError as exc:
        assert str(exc).strip(), "a refusal without a message"
        return f"refused: {str(exc).removeprefix(f'{path}: ')}"
    return "imported"


def check_integrity():
    assert list(integrity.problems()) == []


def mutated_csv(draw, text: str) -> str:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for _ in range(draw(st.integers(0, 4))):
        row = draw(st.integers(1, len(rows) - 1)) if draw(st.integers(0, 7)) else 0  # the header, now and then
        if not rows[row]:
            continue
        cell = draw(st.integers(0, len(rows[row]) - 1))
        rows[row][cell] = draw(values)
    how = draw(st.sampled_from(["cells"] * 6 + ["drop a column", "extra cell", "duplicate a row"]))
    if how == "drop a column":
        column = draw(st.integers(0, len(rows[0]) - 1))
        rows = [r[:column] + r[column + 1 :] for r in rows]
    elif how == "extra cell":
        rows[-1].append(draw(values))
    elif how == "duplicate a row":
        rows.append(list(rows[-1]))
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def as_bytes(draw, text: str) -> bytes:
    """The text as a file might hold it: UTF-8 mostly; else with a BOM, in UTF-16 or Latin-1, cut short, or with NUL bytes."""
    how = draw(st.sampled_from(["utf-8"] * 5 + ["bom", "utf-16", "latin-1", "cut", "nul"]))
    if how == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")
    if how in ("utf-16", "latin-1"):
        return text.encode(how, errors="replace")
    data = text.encode("utf-8", "surrogatepass")
    if how == "cut":
        return data[: draw(st.integers(0, len(data)))]
    if how == "nul":
        at = draw(st.integers(0, len(data)))
        return data[:at] + b"\x00" + data[at:]
    return data


@FUZZ
@given(data=st.data())
def test_random_csv_imports_are_made_or_refused_with_the_reason(exported, data):
    with alone():
        exported.path.write_bytes(as_bytes(data.draw, mutated_csv(data.draw, exported.files["marks.csv"])))
        options = [flag for flag in ("--partial", "--dry-run") if data.draw(st.booleans())]
        if data.draw(st.booleans()):
            exported.links_path.write_bytes(as_bytes(data.draw, mutated_csv(data.draw, exported.files["links.csv"])))
            options += ["--links", str(exported.links_path)]
        event(run_import(exported.path, *options)[:60])
        check_integrity()


def mutate_json(draw, node):
    """The tree with one value somewhere in it replaced by random JSON (or a key dropped)."""
    if isinstance(node, dict) and node and draw(st.integers(0, 3)):
        key = draw(st.sampled_from(sorted(node)))
        copy = dict(node)
        if draw(st.integers(0, 5)) == 0:
            del copy[key]
        else:
            copy[key] = mutate_json(draw, node[key])
        return copy
    if isinstance(node, list) and node and draw(st.integers(0, 3)):
        at = draw(st.integers(0, len(node) - 1))
        return node[:at] + [mutate_json(draw, node[at])] + node[at + 1 :]
    return draw(json_values)


@FUZZ
@given(data=st.data())
@example(data=None)
def test_random_jsonld_imports_are_made_or_refused_with_the_reason(exported, data):
    with alone():
        document = json.loads(exported.files["marks.jsonld"])
        if data is None:  # a lone surrogate, which a JSON escape can carry and no database can store
            document["first"]["items"][0]["body"].append(
                {"type": "TextualBody", "purpose": "commenting", "value": LONE_SURROGATE}
            )
            raw = json.dumps(document).encode()
        else:
            for _ in range(data.draw(st.integers(1, 3))):
                document = mutate_json(data.draw, document)
            raw = as_bytes(data.draw, json.dumps(document, ensure_ascii=data.draw(st.booleans())))
        exported.path.write_bytes(raw)
        outcome = run_import(exported.path, *(["--partial"] if data and data.draw(st.booleans()) else []))
        event(outcome[:60])
        if data is None:
            assert outcome.startswith("refused") and "surrogate" in outcome
        check_integrity()


@FUZZ
@given(raw=st.binary(max_size=200) | st.text(max_size=60).map(str.encode))
@example(raw=b'{"type": "AnnotationCollection", "total": "x", "first": {"items": []}}')
@example(raw=b'{"type": [{}]}')
@example(raw=b"\xff\xfe{\x00}\x00")
def test_noise_is_refused_with_the_reason(exported, raw):
    with alone():
        exported.path.write_bytes(raw)
        run_import(exported.path)
        check_integrity()
