"""CSL-JSON and BibTeX in and out, names and DOIs: pure functions, no database."""

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator import bibliography as bib
from annotator.bibliography import BibliographyError

from .library_files import OTHER_CSL_TYPES, WILD_BIB, ZOTERO_LIBRARY, ZOTERO_TYPES

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
    data = json.dumps(
        [
            {
                "id": "http://zotero.org/1",
                "type": "article-journal",
                "title": "Excesses Are Not Permitted",
                "author": [{"family": "Getty", "given": "J. Arch"}],
                "issued": {"date-parts": [["2002", 1]]},
                "container-title": "Russian Review",
                "volume": 61,
                "page": "113-138",
                "DOI": "10.2307/2679116",
            }
        ]
    )
    [record] = bib.parse_csl_json(data)
    assert record["type"] == "article-journal"
    assert record["issued"] == {"date-parts": [[2002, 1]]}
    assert record["volume"] == "61"
    assert record["pages"] == "113-138" and record["doi"] == "10.2307/2679116"


@pytest.mark.parametrize(
    "issued, why",
    [
        ("2002-13", "13 is not a month"),
        ("2002-00", "0 is not a month"),
        ("1937-02-30", "30 is not a day of that month"),
        ("sometime in 1937", "it is not a date"),
        ("1937/38/39", "a range has two ends"),
        ("1986/1984", "the range ends before it starts"),
        ("-334", "written 334 BC"),
        ("0 BC", "there is no year 0"),
    ],
)
def test_a_date_issued_must_be_a_date(issued, why):
    with pytest.raises(BibliographyError, match=f"The date “{re.escape(issued)}” cannot be read: .*{why}"):
        bib.check_issued(issued)


def test_a_stored_date_that_is_not_one_is_written_as_a_raw_csl_date_not_a_crash():
    item = bib.to_csl({"type": "book", "title": "T", "issued": "sometime in 1937", "authors": "Getty"}, "s1")
    assert item["issued"] == {"raw": "sometime in 1937"} and item["author"] == [{"literal": "Getty"}]


def test_csl_types_are_kept_as_they_are():
    [record] = bib.parse_csl_json('{"type": "thesis", "title": "T"}')
    assert record["type"] == "thesis"


@pytest.mark.parametrize(
    "data,message",
    [
        ("[{", "not valid JSON"),
        ('"text"', "list of items"),
        ("[]", "no entries"),
        (
            '[{"type": "book", "title": "Fine"}, {"id": "two", "type": "book"}]',
            "Entry 2 (id “two”): the source has no title",
        ),
        ('[{"type": "book", "title": "A", "author": "Getty"}]', "Entry 1 (“A”): “author” must be a list"),
        ('[{"type": "film", "title": "A"}]', "the type “film” is not one of CSL's item types"),
        ('[{"type": "book", "title": "A", "issued": {"date-parts": [["x"]]}}]', "not numbers"),
        ('[{"type": "book", "title": "A", "URL": "javascript:alert(1)"}]', "does not start with http"),
        ('[{"type": "book", "title": ["A"]}]', "“title” must be text"),
        ("[3]", "Entry 1: it is not a JSON object"),
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
    assert (getty["issue"], getty["pages"], getty["doi"]) == ("1", "113–138", "10.2307/2679116")
    assert getty["issued"] == {"date-parts": [[2002, 1]]}
    assert (stalin["type"], stalin["publisher"], stalin["issued"]) == (
        "book",
        "Red Star Press",
        {"date-parts": [[1978]]},
    )


@pytest.mark.parametrize(
    "data,message",
    [
        (
            "@book{ok, title={Fine}}\n@book{bad, title={oops",
            "entry at line 2 (“@book{bad, title={oops”): it cannot be read",
        ),
        ("@book{y, author={Getty, J.}}", "BibTeX entry “y” (line 1): the source has no title"),
        ("@book{z, title={T}, year={1937}, year={1938}}", "BibTeX entry “z” (line 1): it gives “year” twice"),
        ("@book{d, title={T}, doi={n/a}}", "BibTeX entry “d” (line 1): “n/a” is not a DOI"),
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
    assert record["issued"] == {"date-parts": [[1937]]}


_text = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=30).filter(lambda s: s.split())
_name = st.fixed_dictionaries(
    {"family": _text},
    optional={
        "given": _text,
        "suffix": st.just("Jr."),
        "non-dropping-particle": st.just("van der"),
        "dropping-particle": st.just("de"),
    },
) | st.fixed_dictionaries({"literal": _text})
_record = st.fixed_dictionaries(
    {
        "type": st.sampled_from(bib.SOURCE_TYPES),
        "title": _text,
        "authors": st.lists(_name, max_size=3),
        "contributors": st.dictionaries(
            st.sampled_from(bib.CONTRIBUTOR_ROLES), st.lists(_name, min_size=1, max_size=2), max_size=3
        ),
        "issued": st.sampled_from(
            ["", "1937", "2002-01", "1937-03-05", "1984/1986", "334 BC", "c. 1850", "Spring 1937"]
        ).map(bib.parse_date)
        | st.builds(lambda text: {"literal": " ".join(text.split())}, _text),
        "container_title": _text,
        "volume": st.just("14"),
        "issue": st.just(""),
        "pages": st.just("113–138"),
        "publisher": st.just(""),
        "publisher_place": st.just("Moscow"),
        "url": st.just("https://example.org/a"),
        "doi": st.just("10.1/x"),
        "archive": st.just("RGASPI"),
        "archive_location": st.just("f. 17, op. 3, d. 922"),
        "other_fields": st.dictionaries(st.sampled_from(bib.OTHER_TEXT_VARIABLES), _text, max_size=3)
        | st.just({"accessed": {"date-parts": [[2024, 1, 5]]}, "edition": "2"}),
    }
)


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
    with pytest.raises(
        BibliographyError, match=f"holds {bib.MAX_ENTRIES + 1:,} entries; one import takes at most {bib.MAX_ENTRIES:,}"
    ):
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
    with pytest.raises(
        BibliographyError, match="BibTeX entry “k” \\(line 1\\): “publisher” is longer than 1,200 characters"
    ):
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
        '\tauthor = {{M{{\\"u}}ller, J{{\\"o}}rg and Getty, J. Arch}},\n\tjournal = {{Russian Review}},\n'
        "\tvolume = {{61}},\n\tpages = {{113--138}},\n\tyear = {{2002}},\n\tdoi = {{10.2307/{i}}},\n}}\n"
    )
    records = bib.parse_bibtex("".join(entry.format(i=i) for i in range(bib.MAX_ENTRIES)))
    assert len(records) == bib.MAX_ENTRIES
    assert records[7]["title"] == "The Great Terror and the Party & State, 7" and records[7]["pages"] == "113–138"
    assert records[7]["authors"][0] == {"family": "Müller", "given": "Jörg"}
    assert sum(len(value) for value in decoded) < bib.LATEX_BUDGET / 2


_LATEX_PIECES = [
    "a",
    "B",
    " ",
    "\n",
    "-",
    "~",
    "`",
    "'",
    "!",
    "?",
    "{",
    "}",
    '"',
    "#",
    "_",
    "^",
    "<",
    ".",
    "@",
    "&",
    "%",
    "$",
    "\\",
    '\\"',
    "\\'",
    "\\^",
    "\\`",
    "\\~",
    "\\=",
    "\\.",
    "\\c",
    "\\v",
    "\\H",
    "\\ss",
    "\\o",
    "\\AE",
    "\\l",
    "\\i",
    "\\&",
    "\\%",
    "\\$",
    "\\_",
    "\\#",
    "\\{",
    "\\}",
    "\\emph",
    "\\url",
    "s",
    "e",
    "{}",
    "{u}",
    "{ab}",
]


@given(st.lists(st.sampled_from(_LATEX_PIECES), max_size=12).map("".join))
def test_bibtex_values_read_as_pylatexenc_reads_them(value):
    # The fast path skips pylatexenc for text whose only commands are the common ones; it must not change a letter.
    budget = bib._LatexBudget()
    try:
        expected = bib._DECODER.latex_to_text(value)
    except Exception:
        with pytest.raises(BibliographyError, match="cannot be read"):
            bib.decode_latex(value, "", "title", budget)
        return
    assert bib.decode_latex(value, "", "title", budget) == expected


def test_the_common_commands_cost_nothing_of_the_budget():
    budget = bib._LatexBudget()
    value = "{M{\\\"u}ller}, J{\\\"o}rg and Stra\\ss{}e, \\'{E}mile \\& \\c{C}elik: 113--138 ``x''"
    assert bib.latex_to_text(value, "", "author", budget) == "Müller, Jörg and Straße, Émile & Çelik: 113–138 “x”"
    assert budget.left == bib.LATEX_BUDGET


# Libraries as other tools write them (issue 25) ----------------------------------------------------------------


def test_a_zotero_library_with_every_csl_type_is_taken_whole_each_type_with_a_readable_name():
    assert len(ZOTERO_TYPES) == 37 and len(set(ZOTERO_TYPES.values()) | set(OTHER_CSL_TYPES)) == 45
    entries = bib.read_csl_json(json.dumps(ZOTERO_LIBRARY))
    assert [e.problem for e in entries] == [""] * len(ZOTERO_LIBRARY)
    assert [e.record["type"] for e in entries] == [item["type"] for item in ZOTERO_LIBRARY]
    assert {"motion_picture": "Film", "legal_case": "Legal case", "map": "Map", "dataset": "Dataset"}.items() <= {
        t: bib.type_name(t) for t in bib.CSL_TYPES
    }.items()
    assert all(bib.type_name(t) != t and bib.type_name(t)[0].isupper() for t in bib.CSL_TYPES)


def test_csl_names_keep_their_roles_particles_suffixes_and_literals():
    item = {
        "id": "x",
        "type": "chapter",
        "title": "T",
        "author": [
            {"family": "Fulton", "given": "James E.", "suffix": "Jr."},
            {"family": "Gaulle", "given": "Charles", "non-dropping-particle": "de"},
            {"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van"},
            {"literal": "Communist Party of the Soviet Union"},
        ],
        "editor": [{"family": "Conquest", "given": "Robert"}],
        "translator": [{"family": "Jowett", "given": "B."}],
        "container-author": [{"family": "Tucker", "given": "Robert C."}],
        "director": [{"family": "Eisenstein"}],
    }
    [record] = bib.parse_csl_json(json.dumps([item]))
    assert record["authors"] == item["author"]
    assert record["contributors"] == {
        role: item[role] for role in ("editor", "translator", "container-author", "director")
    }
    assert bib.to_csl(record, "x") == item
    assert [bib.name_text(n) for n in item["author"]] == [
        "Fulton, James E., Jr.",
        "de Gaulle, Charles",
        "Beethoven, Ludwig van",
        "Communist Party of the Soviet Union",
    ]
    assert [bib.parse_name(bib.name_text(n)) for n in item["author"]] == item["author"]


def test_an_editor_only_book_exports_its_editors():
    [record] = bib.parse_csl_json('[{"type": "book", "title": "Stalinism", "editor": [{"family": "Fitzpatrick"}]}]')
    assert bib.to_csl(record, "1")["editor"] == [{"family": "Fitzpatrick"}] and "author" not in bib.to_csl(record, "1")


@pytest.mark.parametrize(
    "issued, stored, text",
    [
        ({"date-parts": [[1984], [1986]]}, {"date-parts": [[1984], [1986]]}, "1984/1986"),
        (
            {"date-parts": [["1917", "10", "25"], ["1917", "11", "7"]]},
            {"date-parts": [[1917, 10, 25], [1917, 11, 7]]},
            "1917-10-25/1917-11-07",
        ),
        ({"date-parts": [[-334]]}, {"date-parts": [[-334]]}, "334 BC"),
        ({"date-parts": [[1937]], "season": 1}, {"date-parts": [[1937]], "season": 1}, "Spring 1937"),
        ({"date-parts": [[1937, 14]]}, {"date-parts": [[1937]], "season": 2}, "Summer 1937"),
        ({"date-parts": [[1850]], "circa": "1"}, {"date-parts": [[1850]], "circa": True}, "c. 1850"),
        ({"literal": "Nivôse an II"}, {"literal": "Nivôse an II"}, "Nivôse an II"),
        ({"raw": "1984/1986"}, {"date-parts": [[1984], [1986]]}, "1984/1986"),
        ("-0333/-0323", {"date-parts": [[-334], [-324]]}, "334 BC/324 BC"),  # EDTF counts a year 0: -0333 is 334 BC
        ({"raw": "in the reign of Ivan IV"}, {"literal": "in the reign of Ivan IV"}, "in the reign of Ivan IV"),
        ({"date-parts": [[2002, 0, 0]]}, {"date-parts": [[2002]]}, "2002"),
    ],
)
def test_csl_dates_are_kept_as_csl_has_them_a_range_never_cut_to_its_start(issued, stored, text):
    [record] = bib.parse_csl_json(json.dumps([{"type": "book", "title": "T", "issued": issued}]))
    assert record["issued"] == stored and bib.date_text(stored) == text
    assert bib.to_csl(record, "1")["issued"] == stored
    if "literal" not in stored:
        assert bib.parse_date(text) == stored


@pytest.mark.parametrize(
    "doi, kept_doi, kept_url",
    [
        ("http://doi.acm.org/10.1145/1188913.1188915", "10.1145/1188913.1188915", ""),
        ("https://dx.doi.org/10.2307/2679116", "10.2307/2679116", ""),
        ("https://doi.org/10.1002/%28SICI%291097-0258", "10.1002/(sici)1097-0258", ""),
        ("doi:10.2307/2679116", "10.2307/2679116", ""),
        ("https://www.jstor.org/stable/2679116", "", "https://www.jstor.org/stable/2679116"),
    ],
)
def test_a_doi_given_as_a_url_is_kept_as_the_bare_doi_and_other_addresses_as_the_url(doi, kept_doi, kept_url):
    [entry] = bib.read_csl_json(json.dumps([{"type": "book", "title": "T", "DOI": doi}]))
    assert (entry.record["doi"], entry.record["url"]) == (kept_doi, kept_url)
    assert len(entry.notes) == (0 if doi.startswith("doi:") else 1)
    assert not bib.to_csl(entry.record, "1").get("DOI", "").startswith("http")


def test_what_is_not_a_doi_is_refused_with_a_message_the_rest_of_the_file_read():
    entries = bib.read_csl_json(
        json.dumps(
            [
                {"type": "book", "title": "A", "DOI": "ISBN 978-0-19-505580-4"},
                {"type": "book", "title": "B", "DOI": "https://www.jstor.org/stable/1", "URL": "https://example.org/b"},
                {"type": "book", "title": "C"},
            ]
        )
    )
    assert [e.problem for e in entries] == [
        "“ISBN 978-0-19-505580-4” is not a DOI (a DOI reads 10.NNNN/…).",
        "the DOI “https://www.jstor.org/stable/1” is a web address, not a DOI, and the source has a URL already.",
        "",
    ]


def test_a_bibtex_library_as_better_bibtex_and_jabref_write_it():
    entries = bib.read_bibtex(WILD_BIB)
    labels = [e.label for e in entries]
    assert labels == [
        "BibTeX entry “getty2002” (line 6)",
        "BibTeX entry “khlevniuk1995” (line 15)",
        "BibTeX entry “proc1993” (line 22)",
        "BibTeX entry “aristotle” (line 28)",
        "BibTeX entry “getty2002” (line 36)",
        "BibTeX entry “memorial” (line 40)",
        "BibTeX entry “water” (line 49)",
    ]
    assert [e.problem for e in entries] == [""] * 7
    getty, khlevniuk, proc, aristotle, duplicate, memorial, water = entries
    assert getty.record["authors"] == [
        {"family": "Getty", "given": "J. Arch"},
        {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"},
        {"family": "Fulton", "given": "James E.", "suffix": "Jr."},
        {"literal": "Communist Party of the Soviet Union"},
    ]
    assert (getty.record["container_title"], getty.record["issue"], getty.record["pages"]) == (
        "The Russian Review",
        "1",
        "113–138",
    )
    assert getty.record["issued"] == {"date-parts": [[2002, 1]]} and getty.record["doi"] == "10.1145/1188913.1188915"
    assert getty.notes == ["the DOI given as a web address is kept as the DOI 10.1145/1188913.1188915"]
    assert duplicate.record is None and duplicate.notes == [
        "its key is the key of the entry at line 6, which is taken in its place"
    ]
    # The crossref: the proceedings' title is the paper's container, its editors, publisher, place and year the paper's.
    assert khlevniuk.record["type"] == "paper-conference"
    assert khlevniuk.record["container_title"] == "Soviet History, 1917–53"
    assert khlevniuk.record["contributors"] == {
        "editor": [{"family": "Cooper", "given": "Julian"}, {"family": "Perrie", "given": "Maureen"}]
    }
    assert (khlevniuk.record["publisher"], khlevniuk.record["publisher_place"]) == (
        "Cambridge University Press",
        "Cambridge",
    )
    assert khlevniuk.record["issued"] == {"date-parts": [[1995]]} and proc.record["authors"] == []
    # Ancient dates, a range: ISO's -0349 is 350 BC.
    assert aristotle.record["issued"] == {"date-parts": [[-350], [-330]]}
    assert bib.date_text(aristotle.record["issued"]) == "350 BC/330 BC"
    assert aristotle.record["other_fields"]["original-date"] == {"date-parts": [[-350]]}
    assert aristotle.record["contributors"] == {"translator": [{"family": "Jowett", "given": "Benjamin"}]}
    assert memorial.record["type"] == "dataset" and memorial.record["authors"] == [{"literal": "Memorial Society"}]
    assert memorial.record["issued"] == {"date-parts": [[2016]], "circa": True}
    assert memorial.record["other_fields"] == {
        "accessed": {"date-parts": [[2024, 1, 5]]},
        "version": "4",
        "citation-key": "memorial",
    }
    assert water.record["title"] == "H₂O in the Gulag: Water Supply at Kolyma"
    assert water.record["issued"] == {"date-parts": [[1953], [1954]]} and water.record["type"] == "document"


def test_a_bibtex_library_survives_export_to_csl_json_and_back():
    records = bib.parse_bibtex(WILD_BIB)
    again = bib.parse_csl_json(json.dumps([bib.to_csl(r, str(i)) for i, r in enumerate(records)]))
    assert again == records


def test_a_bibtex_date_or_year_that_is_no_date_is_kept_as_written_with_a_note():
    entries = bib.read_bibtex("@book{a, title={A}, year={n.d.}}\n@book{b, title={B}, date={19XX}}")
    assert [e.record["issued"] for e in entries] == [{"literal": "n.d."}, {"literal": "19XX"}]
    assert entries[0].notes == ["the year “n.d.” is not a date we read: kept as written"]


def test_an_unknown_bibtex_type_is_read_as_a_document_with_a_note():
    [entry] = bib.read_bibtex("@remark{r, title={A}}")
    assert entry.record["type"] == "document" and entry.notes == [
        "its type @remark is not a BibTeX or biblatex type: read as a document"
    ]


def test_a_crossref_to_an_entry_not_in_the_file_is_noted():
    [entry] = bib.read_bibtex("@incollection{c, title={A}, crossref={nowhere}}")
    assert entry.record["container_title"] == "" and entry.notes == ["its crossref “nowhere” is not in the file"]


@pytest.mark.parametrize(
    "text, date",
    [
        ("1984", {"date-parts": [[1984]]}),
        ("44-03-15 BC", {"date-parts": [[-44, 3, 15]]}),
        ("circa 1850", {"date-parts": [[1850]], "circa": True}),
        ("1850~", {"date-parts": [[1850]], "circa": True}),
        ("1937-21", {"date-parts": [[1937]], "season": 1}),
        ("winter 1941", {"date-parts": [[1941]], "season": 4}),
        ("1984-1986", {"date-parts": [[1984], [1986]]}),
        ("1984 – 1986", {"date-parts": [[1984], [1986]]}),
        ("800", {"date-parts": [[800]]}),
        ("", {}),
    ],
)
def test_dates_as_people_type_them(text, date):
    assert bib.parse_date(text) == date
