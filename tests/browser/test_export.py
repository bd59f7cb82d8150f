"""Export from the browser: the document page's buttons download what the panel's filters show."""

import io

import pandas
from playwright.sync_api import expect

from annotator import services


def test_a_reviewer_exports_the_filtered_marks_of_a_document_and_reads_them_in_pandas(
    login, live_server, document, annotator, reviewer, labels
):
    for start, end, label in [(0, 10, "claim"), (11, 24, "evidence"), (40, 52, "claim")]:
        services.annotate(
            user=annotator,
            document=document,
            start=start,
            end=end,
            exact=document.text[start:end],
            label=labels[label],
            note='=cell, "quoted"\nline two',
        )
    page = login(reviewer)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    page.get_by_label("Label").select_option(label="Claim")
    expect(page.locator("#mark-list .meta").first).to_have_text("2 of 3 marks")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    frame = pandas.read_csv(
        io.StringIO(download.value.path().read_text(encoding="utf-8")), dtype=str, keep_default_na=False
    )
    assert list(frame["label"]) == ["claim", "claim"]
    assert [document.text[int(s) : int(e)] for s, e in zip(frame["start"], frame["end"])] == list(frame["exact"])
    assert set(frame["note"]) == {'\'=cell, "quoted"\nline two'}  # spreadsheet-safe by default
    page.get_by_label("raw cells").check()
    with page.expect_download() as raw_download:
        page.get_by_role("button", name="Export CSV").click()
    raw = pandas.read_csv(raw_download.value.path(), dtype=str, keep_default_na=False)
    assert set(raw["note"]) == {'=cell, "quoted"\nline two'}
    expect(page.locator("#mark-list .meta").first).to_have_text("2 of 3 marks")  # the page stayed as it was
    assert page.errors == []


def test_changing_a_filter_after_an_export_redraws_the_list_not_the_download(
    login, live_server, document, annotator, labels
):
    # htmx remembered the export button as the filters form's submitter, and the next filter change fetched the
    # export into the mark list (issue 18, item 5).
    for start, end, label in [(0, 10, "claim"), (11, 24, "evidence")]:
        services.annotate(
            user=annotator, document=document, start=start, end=end, exact=document.text[start:end], label=labels[label]
        )
    page = login(annotator)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    for name in ["Export CSV", "Export links CSV", "Export JSON-LD"]:
        with page.expect_download():
            page.get_by_role("button", name=name).click()
        page.get_by_label("Label").select_option(label="Evidence")
        expect(page.locator("#mark-count")).to_have_text("1 of 2 marks")
        page.get_by_label("Status").select_option(label="Pending")
        page.get_by_label("Label").select_option(label="Claim")
        expect(page.locator("#mark-count")).to_have_text("1 of 2 marks")
        expect(page.locator("#mark-list")).not_to_contain_text("annotation_id")
        expect(page.locator("#mark-list .mark-item")).to_have_count(1)
        page.get_by_label("Label").select_option(index=0)
        page.get_by_label("Status").select_option(index=0)
        expect(page.locator("#mark-count")).to_have_text("2 marks")
    assert page.errors == []
