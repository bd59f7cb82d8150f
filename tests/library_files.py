"""Bibliographies as other tools write them, for the tests: small, real-world-shaped, written here (no downloads)."""

from annotator import bibliography as bib

# One item per Zotero item type, as Zotero's CSL JSON export writes it (the CSL type each becomes), then CSL's other
# types: a historian's library is full of maps, laws, films and datasets.
ZOTERO_TYPES = {
    "artwork": "graphic",
    "audioRecording": "song",
    "bill": "bill",
    "blogPost": "post-weblog",
    "book": "book",
    "bookSection": "chapter",
    "case": "legal_case",
    "computerProgram": "software",
    "conferencePaper": "paper-conference",
    "dataset": "dataset",
    "dictionaryEntry": "entry-dictionary",
    "document": "article",
    "email": "personal_communication",
    "encyclopediaArticle": "entry-encyclopedia",
    "film": "motion_picture",
    "forumPost": "post",
    "hearing": "hearing",
    "instantMessage": "personal_communication",
    "interview": "interview",
    "journalArticle": "article-journal",
    "letter": "personal_communication",
    "magazineArticle": "article-magazine",
    "manuscript": "manuscript",
    "map": "map",
    "newspaperArticle": "article-newspaper",
    "patent": "patent",
    "podcast": "song",
    "preprint": "article",
    "presentation": "speech",
    "radioBroadcast": "broadcast",
    "report": "report",
    "standard": "standard",
    "statute": "legislation",
    "thesis": "thesis",
    "tvBroadcast": "broadcast",
    "videoRecording": "motion_picture",
    "webpage": "webpage",
}
OTHER_CSL_TYPES = [t for t in bib.CSL_TYPES if t not in ZOTERO_TYPES.values()]
ZOTERO_LIBRARY = [
    {
        "id": f"http://zotero.org/users/1/items/Z{i:03d}",
        "type": csl_type,
        "title": f"A {zotero_type}",
        "author": [{"family": "Getty", "given": "J. Arch"}],
        "issued": {"date-parts": [["1993", 5]]},
    }
    for i, (zotero_type, csl_type) in enumerate(ZOTERO_TYPES.items())
] + [{"id": f"other-{t}", "type": t, "title": f"A {t}"} for t in OTHER_CSL_TYPES]


# A library as Better BibTeX and JabRef write one: @string macros, a crossref, a key used twice, biblatex's types and
# fields, names with particles and suffixes, LaTeX in titles, a date range and an ancient date, a DOI as a URL.
WILD_BIB = r"""
% Encoding: UTF-8
@String{rr = {The Russian Review}}
@String{cup = "Cambridge University Press"}

@article{getty2002,
  author       = {Getty, J. Arch and van der Berg, Jan and Fulton, James E., Jr. and {Communist Party of the Soviet Union}},
  title        = {{'Excesses Are Not Permitted'}: Mass Terror in the Late 1930s},
  journaltitle = rr,
  date         = {2002-01},
  volume       = {61}, number = {1}, pages = {113--138},
  doi          = {http://doi.acm.org/10.1145/1188913.1188915},
}

@inproceedings{khlevniuk1995,
  author    = {Khlevniuk, Oleg},
  title     = {The Objectives of the Great Terror},
  crossref  = {proc1993},
  pages     = {158--176},
}

@proceedings{proc1993,
  editor    = {Cooper, Julian and Perrie, Maureen},
  title     = {Soviet History, 1917--53},
  publisher = cup, location = {Cambridge}, year = {1995},
}

@book{aristotle,
  author     = {Aristotle},
  translator = {Jowett, Benjamin},
  title      = {Politics},
  date       = {-0349/-0329},
  origdate   = {-0349},
}

@book{getty2002,
  title = {A second entry with the same key},
}

@dataset{memorial,
  author  = {{Memorial Society}},
  title   = {Victims of Political Terror in the {USSR}},
  date    = {2016~},
  url     = {https://base.memo.ru/},
  urldate = {2024-01-05},
  version = {4},
}

@misc{water,
  title        = {H{$_2$}O in the {Gulag}: \emph{Water} Supply at Kolyma},
  howpublished = {Typescript},
  year         = {1953--1954},
}
"""
