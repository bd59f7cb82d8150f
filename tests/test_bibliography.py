"""CSL-JSON and BibTeX in and out, names and DOIs: pure functions, no database."""
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator import bibliography as bib
from annotator.bibliography import BibliographyError

GETTY_BIB = r"""
@article{getty2002,
  author = {Getty, J. Arch and van der Berg, Jan},
  title = {{'Excesses Are Not Permitted'}: Mass Terror and Stalinist Governance in the Late 1930s},
  journal = {Russian Review},
  year = 2002, month = jan, volume = {61}, number = {1}, pages = {113--138},
  doi = {https://doi.org/10.2307/2679116}
}
@book{stalin14,
  author = {Stalin, J. V.},
  title = {Collected Works, Vol. 14},
  publisher = {Red Star Press},
  year = {1978}
}
"""


def test_names_are_read_as_family_comma_given_or_as_a_literal():
    assert bib.parse_names("Getty, J. Arch\nNaumov, Oleg; Communist Party ") == [
        {"family": "Getty", "given": "J. Arch"},
        {"family": "Naumov", "given": "Oleg"},
        {"literal": "Communist Party"},
    ]
    assert bib.names_text([{"family": "Getty", "given": "J. Arch"}, {"literal": "RGASPI"}]) == "Getty, J. Arch; RGASPI"


def test_dois_lose_their_resolver_prefix_and_case():
    assert bib.normalise_doi(" https://doi.org/10.2307/ABC ") == "10.2307/abc"
    assert bib.normalise_doi("doi:10.1/X") == "10.1/x"
    assert bib.normalise_doi("") == ""


def test_it_reads_csl_json_as_zotero_writes_it():
    data = json.dumps([{
        "id": "http://zotero.org/1", "type": "article-journal", "title": "Excesses Are Not Permitted",
        "author": [{"family": "Getty", "given": "J. Arch"}], "issued": {"date-parts": [["2002", 1]]},
        "container-title": "Russian Review", "volume": 61, "page": "113-138", "DOI": "10.2307/2679116",
    }])
    [record] = bib.parse_csl_json(data)
    assert record["type"] == "article-journal"
    assert record["issued"] == "2002-01"
    assert record["volume"] == "61"
    assert record["pages"] == "113-138" and record["doi"] == "10.2307/2679116"


@pytest.mark.parametrize("issued", ["2002-13", "2002-00", "1937-02-32", "spring 1937", "1937/38"])
def test_a_date_issued_must_be_a_date(issued):
    with pytest.raises(BibliographyError, match="is not YYYY, YYYY-MM or YYYY-MM-DD"):
        bib.check_issued(issued)


def test_a_stored_date_that_is_not_one_is_written_as_a_raw_csl_date_not_a_crash():
    item = bib.to_csl({"type": "book", "title": "T", "issued": "spring 1937", "authors": "Getty"}, "s1")
    assert item["issued"] == {"raw": "spring 1937"} and item["author"] == [{"literal": "Getty"}]


def test_other_csl_types_map_onto_ours():
    [record] = bib.parse_csl_json('{"type": "thesis", "title": "T"}')
    assert record["type"] == "report"


@pytest.mark.parametrize(
    "data,message",
    [
        ("[{", "not valid JSON"),
        ('"text"', "list of items"),
        ("[]", "no entries"),
        ('[{"type": "book", "title": "Fine"}, {"id": "two", "type": "book"}]', "Entry 2 (id “two”): the source has no title"),
        ('[{"type": "book", "title": "A", "author": "Getty"}]', "Entry 1 (“A”): “author” must be a list"),
        ('[{"type": "film", "title": "A"}]', "the type “film” is not one of"),
        ('[{"type": "book", "title": "A", "issued": {"date-parts": [["x"]]}}]', "not numbers"),
        ('[{"type": "book", "title": "A", "URL": "javascript:alert(1)"}]', "does not start with http"),
        ('[{"type": "book", "title": ["A"]}]', "“title” must be text"),
        ("[3]", "Entry 1 is not a JSON object"),
    ],
)
def test_it_refuses_malformed_csl_json_naming_the_entry(data, message):
    with pytest.raises(BibliographyError) as info:
        bib.parse_csl_json(data)
    assert message in str(info.value)


def test_it_reads_bibtex_with_latex_names_months_and_page_ranges():
    getty, stalin = bib.parse_bibtex(GETTY_BIB)
    assert getty["type"] == "article-journal"
    assert getty["title"].startswith("'Excesses Are Not Permitted'")
    assert getty["authors"] == [
        {"family": "Getty", "given": "J. Arch"},
        {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"},
    ]
    assert (getty["issued"], getty["issue"], getty["pages"], getty["doi"]) == ("2002-01", "1", "113–138", "10.2307/2679116")
    assert (stalin["type"], stalin["publisher"], stalin["issued"]) == ("book", "Red Star Press", "1978")


@pytest.mark.parametrize(
    "data,message",
    [
        ("@book{ok, title={Fine}}\n@book{bad, title={oops", "entry at line 2 (“@book{bad, title={oops”) cannot be read"),
        ("@book{x, title={A}}\n@book{x, title={B}}", "Duplicate entry key"),
        ("@book{y, author={Getty, J.}}", "BibTeX entry “y” (line 1): the source has no title"),
        ("@book{z, title={T}, year={19x7}}", "the year “19x7” is not a four-digit year"),
        ("no entries here", "no BibTeX entries"),
    ],
)
def test_it_refuses_malformed_bibtex_naming_the_entry(data, message):
    with pytest.raises(BibliographyError) as info:
        bib.parse_bibtex(data)
    assert message in str(info.value)


@pytest.mark.parametrize("title, problem", [("A\x00B", "NUL character"), ("A\ud800B", "lone surrogate (U+D800")])
def test_a_record_with_text_no_database_can_hold_is_refused_naming_the_field(title, problem):
    # A CSL-JSON escape (\u0000, \ud800) makes such text; saved, it answered 500 (PostgreSQL refuses NUL, UTF-8 surrogates).
    with pytest.raises(BibliographyError, match=f"Entry 1: “title” holds a {re.escape(problem)}"):
        bib.parse_csl_json(json.dumps([{"type": "book", "title": title}]))
    with pytest.raises(BibliographyError, match="“authors” holds"):
        bib.parse_csl_json(json.dumps([{"type": "book", "title": "T", "author": [{"family": title}]}]))


@pytest.mark.parametrize("kind", [[], {}, ["book"]])
def test_a_type_that_is_not_text_is_refused_not_a_crash(kind):
    # Looked up among the aliases, a list was unhashable: the import answered 500.
    with pytest.raises(BibliographyError, match="Entry 1 \\(“T”\\): “type” must be text"):
        bib.parse_csl_json(json.dumps([{"type": kind, "title": "T"}]))


def test_a_month_of_odd_digits_is_left_out_not_a_crash():
    # "²" is a digit to str.isdigit but not to int(): the import of such a file answered 500.
    [record] = bib.parse_bibtex("@book{m, title={T}, year={1937}, month={²}}")
    assert record["issued"] == "1937"


_text = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=30).filter(lambda s: s.split())
_record = st.fixed_dictionaries({
    "type": st.sampled_from(bib.SOURCE_TYPES),
    "title": _text,
    "authors": st.lists(st.fixed_dictionaries({"family": _text, "given": _text}), max_size=3),
    "issued": st.sampled_from(["", "1937", "2002-01", "1937-03-05"]),
    "container_title": _text, "volume": st.just("14"), "issue": st.just(""), "pages": st.just("113–138"),
    "publisher": st.just(""), "url": st.just("https://example.org/a"), "doi": st.just("10.1/x"),
    "archive": st.just("RGASPI"), "archive_location": st.just("f. 17, op. 3, d. 922"),
})


@given(_record)
def test_a_record_survives_a_csl_json_round_trip(record):
    record = bib.clean_record(record, "")
    [back] = bib.parse_csl_json(json.dumps([bib.to_csl(record, "x")]))
    assert back == record


# Bounded work: a file is refused before it costs a worker more than a few seconds -------------------------


def test_a_csl_json_file_nested_too_deeply_is_refused_not_a_crash():
    # json.loads raised RecursionError, which nothing caught: the import answered 500.
    with pytest.raises(BibliographyError, match="nested too deeply"):
        bib.parse_csl_json("[" * 100_000 + "]" * 100_000)


def test_a_csl_json_file_of_more_entries_than_an_import_takes_is_refused_saying_how_many():
    items = [{"type": "book", "title": f"T{i}"} for i in range(bib.MAX_ENTRIES + 1)]
    with pytest.raises(BibliographyError, match=f"holds {bib.MAX_ENTRIES + 1:,} entries; one import takes at most {bib.MAX_ENTRIES:,}"):
        bib.parse_csl_json(json.dumps(items))
    assert len(bib.parse_csl_json(json.dumps(items[:-1]))) == bib.MAX_ENTRIES


@pytest.fixture
def decoded(monkeypatch):
    """The characters pylatexenc is given to decode, value by value."""
    from pylatexenc.latex2text import LatexNodes2Text

    values = []
    original = LatexNodes2Text.latex_to_text

    def counting(self, latex, *args, **kwargs):
        values.append(latex)
        return original(self, latex, *args, **kwargs)

    monkeypatch.setattr(LatexNodes2Text, "latex_to_text", counting)
    return values


def test_a_bibtex_file_of_more_entries_than_an_import_takes_is_refused_before_it_is_split(monkeypatch):
    split = []
    monkeypatch.setattr(bib.bibtexparser, "parse_string", lambda *a, **k: split.append(1))
    data = "".join(f"@misc{{k{i},}}\n" for i in range(bib.MAX_ENTRIES + 1))
    with pytest.raises(BibliographyError, match=f"more than {bib.MAX_ENTRIES:,} entries; one import takes at most"):
        bib.parse_bibtex(data)
    assert split == []


def test_a_megabyte_of_latex_in_one_field_is_refused_before_it_is_decoded(decoded):
    # Decoded first and measured after, it held a worker 9 s before "longer than 300 characters".
    data = "@book{k, title={T}, publisher={" + "\\'{e}" * 200_000 + "}}"
    with pytest.raises(BibliographyError, match="BibTeX entry “k” \\(line 1\\): “publisher” is longer than 1,200 characters"):
        bib.parse_bibtex(data)
    assert decoded == []


def test_latex_within_every_fields_limit_is_decoded_up_to_the_files_budget_then_refused(decoded):
    title = "\\emph{x}" * 250  # 2,000 characters (the most a title may have before decoding) of a rarer command
    data = "".join(f"@book{{k{i}, title={{{title}}}}}\n" for i in range(bib.MAX_ENTRIES))
    with pytest.raises(BibliographyError, match="more LaTeX than one import decodes"):
        bib.parse_bibtex(data)
    assert sum(len(value) for value in decoded) <= bib.LATEX_BUDGET


def test_fields_the_record_does_not_read_are_not_decoded(decoded):
    [record] = bib.parse_bibtex("@book{k, title={T}, abstract={\\emph{" + "x" * 100_000 + "}}, file={a\\b.pdf}}")
    assert record["title"] == "T" and decoded == []


def test_a_library_as_zotero_exports_it_at_the_cap_is_read_within_the_budget(decoded):
    entry = (
        "@article{{k{i},\n\ttitle = {{{{The}} {{Great}} {{Terror}} and the {{Party}} \\& State, {i}}},\n"
        "\tauthor = {{M{{\\\"u}}ller, J{{\\\"o}}rg and Getty, J. Arch}},\n\tjournal = {{Russian Review}},\n"
        "\tvolume = {{61}},\n\tpages = {{113--138}},\n\tyear = {{2002}},\n\tdoi = {{10.2307/{i}}},\n}}\n"
    )
    records = bib.parse_bibtex("".join(entry.format(i=i) for i in range(bib.MAX_ENTRIES)))
    assert len(records) == bib.MAX_ENTRIES
    assert records[7]["title"] == "The Great Terror and the Party & State, 7" and records[7]["pages"] == "113–138"
    assert records[7]["authors"][0] == {"family": "Müller", "given": "Jörg"}
    assert sum(len(value) for value in decoded) < bib.LATEX_BUDGET / 2


_LATEX_PIECES = [
    "a", "B", " ", "\n", "-", "~", "`", "'", "!", "?", "{", "}", '"', "#", "_", "^", "<", ".", "@", "&", "%", "$",
    "\\", '\\"', "\\'", "\\^", "\\`", "\\~", "\\=", "\\.", "\\c", "\\v", "\\H", "\\ss", "\\o", "\\AE", "\\l", "\\i",
    "\\&", "\\%", "\\$", "\\_", "\\#", "\\{", "\\}", "\\emph", "\\url", "s", "e", "{}", "{u}", "{ab}",
]


@given(st.lists(st.sampled_from(_LATEX_PIECES), max_size=12).map("".join))
def test_bibtex_values_read_as_pylatexenc_reads_them(value):
    # The fast path skips pylatexenc for text whose only commands are the common ones; it must not change a letter.
    budget = bib._LatexBudget()
    try:
        expected = bib._DECODER.latex_to_text(value)
    except Exception:
        with pytest.raises(BibliographyError, match="cannot be read"):
            bib.latex_to_text(value, "", "title", budget)
        return
    assert bib.latex_to_text(value, "", "title", budget) == expected


def test_the_common_commands_cost_nothing_of_the_budget():
    budget = bib._LatexBudget()
    value = "{M{\\\"u}ller}, J{\\\"o}rg and Stra\\ss{}e, \\'{E}mile \\& \\c{C}elik: 113--138 ``x''"
    assert bib.latex_to_text(value, "", "author", budget) == "Müller, Jörg and Straße, Émile & Çelik: 113–138 “x”"
    assert budget.left == bib.LATEX_BUDGET
