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
