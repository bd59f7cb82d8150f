"""Search: the query language (pure), the index kept by every writer, the two backends, and who finds what."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator import integrity, services
from annotator.models import Document, Role, SearchEntry
from annotator.search import Filters, QueryError, find
from annotator.search import terms as termslib
from annotator.services import links as link_services
from annotator.services import search_index, sources, versions

from .factories import MembershipFactory, ProjectFactory, UserFactory

TEXT = (
    "Le président Ežov signa l'ordre.\n\n"
    "Nikolai Ezhov ran the NKVD during the Great Purge; Trotsky was abroad.\n\n"
    "Троцкий писал из Мексики о чистке.\n"
)


# The query language, pure --------------------------------------------------------------------------------------


def test_it_folds_accents_and_case():
    assert termslib.fold("Président Ežov") == "president ezov"
    assert termslib.fold("ТРОЦКИЙ") == "троцкий"


def test_it_parses_words_phrases_prefixes_and_exclusions():
    query = termslib.parse('Ežov "great purge" purg* -Trotsky -"the NKVD"')
    assert query.terms == (
        termslib.Term(("ezov",)),
        termslib.Term(("great", "purge")),
        termslib.Term(("purg",), prefix=True),
        termslib.Term(("trotsky",), excluded=True),
        termslib.Term(("the", "nkvd"), excluded=True),
    )
    assert termslib.parse('"great pur"*').terms == (termslib.Term(("great", "pur"), prefix=True),)


@pytest.mark.parametrize("typed", ["", "   ", "-Trotsky", '""', "***"])
def test_it_refuses_a_query_with_nothing_to_look_for(typed):
    with pytest.raises(QueryError):
        termslib.parse(typed)


def test_a_query_is_written_back_as_typed_folded():
    for typed in ['Purge "great  Purge" purg* -Trotsky -"a phrase"*', "Ežov"]:
        query = termslib.parse(typed)
        assert termslib.parse(str(query)) == query
    assert str(termslib.parse("Ežov -Trotsky")) == "ezov -trotsky"


def test_the_closest_word_is_spelled_alike_and_never_the_word_itself():
    texts = ["Trotsky was abroad; a trotskyist stayed.", "The Great Purge"]
    assert termslib.closest_word("trotksy", texts) == "trotsky"
    assert termslib.closest_word("purgs", texts) == "purge"
    assert termslib.closest_word("trotsky", texts) == "trotskyist"  # another word: the word itself is found already
    assert termslib.closest_word("zinoviev", texts) is None


def test_hits_are_offsets_into_the_text_as_stored():
    text = "Le président Ežov 😀 ežov"
    found = termslib.hits(text, termslib.parse("ezov").wanted)
    assert [text[s:e] for s, e in found] == ["Ežov", "ežov"]
    excerpt = termslib.excerpts(text, termslib.parse("president").wanted)[0]
    assert (excerpt.hit, excerpt.after) == ("président", "Ežov 😀 ežov")


def test_a_phrase_and_a_prefix_match_whole_words_only():
    text = "the great purges; greatly purged"
    assert [text[s:e] for s, e in termslib.hits(text, termslib.parse('"great purg"*').wanted)] == ["great purges"]
    assert termslib.hits(text, termslib.parse("purg").wanted) == []


def test_hits_start_at_each_word_and_may_overlap():
    def found(text, query, limit=1000):
        return [text[s:e] for s, e in termslib.hits(text, termslib.parse(query).wanted, limit)]

    assert found("b b b", '"b b"') == ["b b", "b b"]  # from the first word and from the second
    assert found("a-b, a b_c ab", '"a b"') == ["a-b"]  # any non-word between; b_c is one word
    assert found("Purge, purged, PURGES", "purg* great") == ["Purge", "purged", "PURGES"]
    assert found("great purge", "purge great") == ["great", "purge"]  # in text order, whatever the query's
    assert found("one two one two", "one two", limit=3) == ["one", "two", "one"]
    assert found("o'brien o brien", "o'brien") == ["o'brien", "o brien"]  # the query's words, as the text's are cut


def test_chunks_tile_the_text():
    text = ("word " * 700 + "\n\n") * 3
    parts = list(search_index.chunks(text, size=1000))
    assert "".join(body for _, _, body in parts) == text
    assert all(text[start : start + len(body)] == body for start, _, body in parts)
    assert max(len(body) for _, _, body in parts) <= 1000
    assert [block for _, block, _ in parts][-3:] == [2, 2, 2]


# The index, kept by every writer ---------------------------------------------------------------------------------


@pytest.fixture
def doc(manager):
    return services.add_document(user=manager, project=manager.projects.get(), title="Ordres", text=TEXT)


def kinds(user, text, **kwargs):
    return sorted(
        (r.kind, r.entry.annotation_id or r.entry.source_id or r.entry.document_id)
        for r in find(user=user, text=text, **kwargs).results
    )


def test_a_document_is_found_by_its_words_without_accents_and_in_other_scripts(doc, annotator):
    for typed in ["president", "Ezov", "ežov", "троцкий", "ТРОЦКИЙ", '"great purge"', "purg*", "nkvd -bukharin"]:
        assert [r.kind for r in find(user=annotator, text=typed).results] == ["text"], typed
    assert find(user=annotator, text="nkvd -trotsky").results == []
    assert find(user=annotator, text="nkvd -мексики").results == []


def test_a_text_result_links_to_the_place_of_the_hit(doc, annotator):
    result = find(user=annotator, text="Trotsky").results[0]
    excerpt, url = result.excerpts[0]
    start = TEXT.index("Trotsky")
    assert excerpt.hit == "Trotsky"
    assert url == f"/documents/{doc.pk}/?at={start}-{start + 7}#block-1"


def test_a_mark_is_found_by_its_text_note_and_label_and_leaves_with_it(doc, annotator, labels, reviewer):
    start = TEXT.index("Great Purge")
    mark = services.annotate(
        user=annotator,
        document=doc,
        start=start,
        end=start + 11,
        exact="Great Purge",
        label=labels["claim"],
        note="Conquest's phrase",
    )
    assert ("mark", mark.pk) in kinds(annotator, "conquest")
    mark = services.update_annotation(user=annotator, annotation=mark, version=mark.version, note="Getty disagrees")
    assert kinds(annotator, "conquest") == []
    assert ("mark", mark.pk) in kinds(annotator, "getty")
    services.review_annotation(user=reviewer, annotation=mark, status="rejected", note="Not a claim")
    found = find(user=annotator, text="getty", filters=Filters(status="rejected"))
    assert [r.entry.annotation_id for r in found.results] == [mark.pk]
    assert ("mark", mark.pk) in kinds(annotator, '"not a claim"')
    services.delete_annotation(user=annotator, annotation=mark)
    assert kinds(annotator, "getty") == []


def test_a_restored_mark_is_found_again_and_a_renamed_label_finds_its_marks(doc, annotator, manager, labels):
    start = TEXT.index("Great Purge")
    mark = services.annotate(
        user=annotator,
        document=doc,
        start=start,
        end=start + 11,
        exact="Great Purge",
        label=labels["claim"],
        note="Conquest's phrase",
    )
    services.delete_annotation(user=annotator, annotation=mark)
    assert kinds(annotator, "conquest") == []
    services.restore_annotation(user=annotator, annotation_id=mark.pk)
    assert ("mark", mark.pk) in kinds(annotator, "conquest")
    from annotator.services import labels as label_services

    label_services.update_label(
        user=manager,
        label=labels["claim"],
        name="Assertion",
        colour=labels["claim"].colour,
        shortcut=labels["claim"].shortcut,
    )
    assert ("mark", mark.pk) in kinds(annotator, "assertion")


def test_a_new_version_replaces_the_text_found(doc, manager, annotator, labels):
    start = TEXT.index("NKVD")
    mark = services.annotate(
        user=annotator, document=doc, start=start, end=start + 4, exact="NKVD", label=labels["claim"]
    )
    versions.add_version(user=manager, document=doc, text="Intro line.\n\n" + TEXT.replace("Trotsky", "Bukharin"))
    assert kinds(annotator, "trotsky") == []
    assert kinds(annotator, "bukharin") == [("text", doc.pk)]
    entry = SearchEntry.objects.get(annotation_id=mark.pk)
    assert entry.start == start + len("Intro line.\n\n")
    assert list(integrity.check_search_index()) == []


def test_bulk_marks_sources_and_links_are_indexed(doc, annotator, labels):
    start = TEXT.index("Ezhov")
    marks = services.bulk_annotate(
        user=annotator,
        document=doc,
        cap=None,
        marks=[
            services.NewMark(start=start, end=start + 5, exact="Ezhov", label=labels["quotation"], note="bulk note")
        ],
    )
    source = sources.create_source(
        user=annotator,
        project=doc.project,
        type="book",
        title="Stalin's Loyal Executioner",
        authors=[{"family": "Jansen", "given": "Marc"}],
        doi="10.1/abc",
        full_text="A biography of Ezhov.",
    )
    assert ("source", source.pk) in kinds(annotator, "jansen")
    assert ("source", source.pk) in kinds(annotator, "biography")
    sources.update_source(
        user=annotator, source=source, type="book", title="Stalin's Loyal Executioner", full_text="Nothing"
    )
    assert kinds(annotator, "biography") == []
    link = link_services.create_link(
        user=annotator,
        from_annotation=marks[0],
        type=doc.project.link_types.get(key="attributed-to"),
        speaker="Nikita Khrushchev",
        note="secret speech",
    )
    assert [r.entry.link_id for r in find(user=annotator, text="khrushchev").results] == [link.pk]
    assert ("mark", marks[0].pk) in kinds(annotator, '"bulk note"')
    assert list(integrity.check_search_index()) == []


def test_nobody_finds_anything_of_a_project_they_are_not_in(doc, annotator, outsider):
    # The word is planted in another project: its members find it, nobody else does, whatever they type.
    elsewhere = ProjectFactory(name="Hidden")
    boss = UserFactory(username="hidden-boss")
    MembershipFactory(user=boss, project=elsewhere, role=Role.MANAGER)
    secret = services.add_document(user=boss, project=elsewhere, title="Plans", text="xylophonic zeugma\n")
    sources.create_source(user=boss, project=elsewhere, type="book", title="xylophonic catalogue")
    assert {r.entry.document_id or r.entry.source_id for r in find(user=boss, text="xylophonic").results}
    for user in (annotator, outsider):
        for typed in ("xylophonic", "xylo*", "zeugma", "ylophon"):
            assert find(user=user, text=typed).total == 0
        assert find(user=user, text="xylophonic", project=doc.project).total == 0
    assert secret.pk


def test_parts_of_words_are_found_when_no_whole_word_is(doc, annotator):
    found = find(user=annotator, text="rotsk")
    assert found.partial and found.results[0].excerpts[0][0].hit == "rotsk"


def test_a_search_that_finds_nothing_offers_the_words_spelled_alike_that_do(doc, annotator, labels):
    # By each backend's trigram index (FTS5's trigram table; pg_trgm's word similarity), then the closest word.
    found = find(user=annotator, text="Trotksy")
    assert found.total == 0 and found.suggestion == "trotsky"
    assert find(user=annotator, text=found.suggestion).total == 1
    assert find(user=annotator, text="Ezhof purge -mexico").suggestion == "ezhov purge -mexico"
    assert find(user=annotator, text="Trotsky").suggestion == ""  # found: nothing to offer
    assert find(user=annotator, text="qqqzzzx").suggestion == ""  # nothing near


def test_no_word_of_another_project_is_offered(doc, annotator):
    elsewhere = ProjectFactory(name="Hidden")
    boss = UserFactory(username="hidden-boss")
    MembershipFactory(user=boss, project=elsewhere, role=Role.MANAGER)
    services.add_document(user=boss, project=elsewhere, title="Plans", text="Zinoviev and Kamenev\n")
    assert find(user=boss, text="Zinovyev").suggestion == "zinoviev"
    assert find(user=annotator, text="Zinovyev").suggestion == ""
    assert find(user=annotator, text="Zinovyev", project=doc.project).suggestion == ""


def test_facets_count_and_filter(doc, annotator, annotator2, labels):
    for user, label in ((annotator, "claim"), (annotator2, "evidence")):
        start = TEXT.index("NKVD")
        services.annotate(user=user, document=doc, start=start, end=start + 4, exact="NKVD", label=labels[label])
    found = find(user=annotator, text="nkvd")
    counts = {f.name: {v.name: v.count for v in f.values} for f in found.facets}
    assert counts["kind"] == {"Mark": 2, "Document text": 1}
    assert counts["label"] == {"Claim": 1, "Evidence": 1}
    assert counts["author"]["ann2"] == 1
    only = find(user=annotator, text="nkvd", filters=Filters(author=str(annotator2.pk)))
    assert only.total == 1 and only.results[0].entry.author_id == annotator2.pk


def test_results_come_a_page_at_a_time(manager):
    project = manager.projects.get()
    for n in range(25):
        services.add_document(user=manager, project=project, title=f"Doc {n}", text=f"samovar number {n}\n")
    first, second = find(user=manager, text="samovar"), find(user=manager, text="samovar", page=2)
    assert (first.total, first.pages, len(first.results), len(second.results)) == (25, 2, 20, 5)
    assert not {r.entry.pk for r in first.results} & {r.entry.pk for r in second.results}


def test_the_rebuild_makes_the_same_index_and_the_check_finds_drift(doc, annotator, labels):
    start = TEXT.index("NKVD")
    services.annotate(user=annotator, document=doc, start=start, end=start + 4, exact="NKVD", label=labels["claim"])
    before = sorted(SearchEntry.objects.values_list("kind", "start", "title", "body"))
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert sorted(SearchEntry.objects.values_list("kind", "start", "title", "body")) == before
    assert list(integrity.check_search_index()) == []
    SearchEntry.objects.filter(kind="mark").update(body="stale")
    SearchEntry.objects.filter(kind="text").first().delete()
    found = list(integrity.check_search_index())
    assert any("out of date" in p for p in found) and any("missing" in p for p in found)


# The pages -----------------------------------------------------------------------------------------------------


def test_the_project_page_search_shows_hits_in_context_with_facets_and_exact_links(doc, annotator, client):
    client.force_login(annotator)
    response = client.get(f"/projects/{doc.project_id}/search/", {"q": "Ezov"})
    assert response.status_code == 200
    body = response.content.decode()
    start = TEXT.index("Ežov")
    assert f'href="/documents/{doc.pk}/?at={start}-{start + 4}#block-0"' in body
    assert "<mark>Ežov</mark>" in body
    assert "Document text" in body and 'class="facets"' in body


def test_the_search_escapes_what_users_wrote(manager, client):
    project = manager.projects.get()
    services.add_document(user=manager, project=project, title="<b>bold</b>", text="<script>alert(1)</script> zebra\n")
    client.force_login(manager)
    body = client.get("/search/", {"q": "zebra"}).content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<b>bold</b>" not in body


def test_a_query_with_nothing_to_look_for_is_refused_with_its_reason(manager, client):
    client.force_login(manager)
    response = client.get("/search/", {"q": "-only"})
    assert response.status_code == 422
    assert "Type a word to look for" in response.content.decode()
    assert client.get("/search/", {"q": "x", "since": "not a date"}).status_code == 422


def test_an_outsider_finds_nothing_through_the_pages(doc, outsider, client):
    client.force_login(outsider)
    assert client.get(f"/projects/{doc.project_id}/search/", {"q": "Ezov"}).status_code == 404
    body = client.get("/search/", {"q": "Ezov"}).content.decode()
    assert "Nothing found" in body and "Ežov" not in body


def test_the_page_offers_a_search_spelled_alike_as_a_link(doc, annotator, client):
    client.force_login(annotator)
    body = client.get(f"/projects/{doc.project_id}/search/", {"q": "Trotksy Purge"}).content.decode()
    assert 'Nothing found. Did you mean <a href="?q=trotsky%20purge">trotsky purge</a>?' in body


def test_a_date_range_keeps_what_was_made_in_it(doc, annotator):
    today = datetime.date.today()
    day = datetime.timedelta(days=1)
    assert find(user=annotator, text="nkvd", filters=Filters(since=today, until=today)).total == 1
    assert find(user=annotator, text="nkvd", filters=Filters(since=today + day)).total == 0
    assert find(user=annotator, text="nkvd", filters=Filters(until=today - day)).total == 0
    narrowed = find(user=annotator, text="nkvd", filters=Filters(kind="mark", since=today))
    assert narrowed.total == 0 and [f.name for f in narrowed.facets] == ["kind"]  # the other choices: no mark


@pytest.mark.parametrize("others", [0, 15], ids=["dense", "sparse"])
def test_past_the_limit_the_newest_matches_are_ranked_and_counted(manager, settings, monkeypatch, others):
    # Dense or sparse among the entries: PostgreSQL finds the newest matches two ways (backends._postgresql_ranked).
    import annotator.search

    monkeypatch.setattr(annotator.search, "LIMIT", 5)
    # The walk back looks at the newest 10 entries: all samovars when dense, one at most when sparse.
    monkeypatch.setattr(annotator.search.backends, "DENSE", 0.5)
    monkeypatch.setattr(annotator.search.backends, "_EDGES", {})
    monkeypatch.setattr(annotator.search.backends, "SORTED_AT_MOST", 0)  # walk first, whatever the estimate
    project = manager.projects.get()
    made = []
    for n in range(8):
        title = "Samovar notes" if n == 6 else f"Doc {n}"  # the word in its title too: ranked first
        made.append(services.add_document(user=manager, project=project, title=title, text=f"samovar {n}\n"))
        for m in range(others):
            services.add_document(user=manager, project=project, title=f"Other {n}.{m}", text="teapot\n")
    found = find(user=manager, text="samovar")
    assert found.capped and found.total == 5
    assert {r.entry.document_id for r in found.results} == {d.pk for d in made[3:]}
    assert found.results[0].entry.document_id == made[6].pk


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the walk back is how PostgreSQL finds the newest matches"
)
def test_a_common_word_is_walked_to_past_gaps_in_the_ids(manager, monkeypatch):
    import annotator.search

    monkeypatch.setattr(annotator.search, "LIMIT", 5)
    sorted_at_most = annotator.search.backends.SORTED_AT_MOST
    monkeypatch.setattr(annotator.search.backends, "DENSE", 0.5)  # the walk back looks at the newest 10 entries
    monkeypatch.setattr(annotator.search.backends, "_EDGES", {})
    monkeypatch.setattr(annotator.search.backends, "SORTED_AT_MOST", 0)  # walk first, whatever the estimate
    project = manager.projects.get()
    for n in range(5):
        services.add_document(user=manager, project=project, title=f"Teapot {n}", text="teapot\n")
    made = [
        services.add_document(user=manager, project=project, title=f"Doc {n}", text=f"samovar {n}\n") for n in range(8)
    ]
    # Entries indexed again take new ids and leave the old ones unused: here twenty after the samovars.
    gone = [services.add_document(user=manager, project=project, title=f"Gone {n}", text="kettle\n") for n in range(20)]
    Document.objects.filter(pk__in=[d.pk for d in gone]).delete()
    with CaptureQueriesContext(connection) as queries:
        found = find(user=manager, text="samovar")
    assert found.capped and {r.entry.document_id for r in found.results} == {d.pk for d in made[3:]}
    # Found by the walk back through the newest ten entries, not by sorting every match (the slow way for a word on
    # every page).
    assert not any("NULLS LAST" in query["sql"] for query in queries.captured_queries)
    # With fewer matches than SORTED_AT_MOST (the planner's estimate) they are sorted, with no walk: the same results.
    monkeypatch.setattr(annotator.search.backends, "SORTED_AT_MOST", sorted_at_most)
    with CaptureQueriesContext(connection) as queries:
        assert [r.entry.pk for r in find(user=manager, text="samovar").results] == [r.entry.pk for r in found.results]
    assert any("NULLS LAST" in query["sql"] for query in queries.captured_queries)
