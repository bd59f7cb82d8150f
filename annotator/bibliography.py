"""Pure functions on bibliographic records: CSL-JSON in and out, BibTeX / biblatex in, names, dates, DOIs. No database.

A record here is a plain dict of Source field values: type (a CSL item type), title, authors (CSL names), contributors
(CSL names by their other roles: {"editor": [...]}), issued (a CSL date object), container_title, volume, issue,
pages, publisher, publisher_place, url, doi, archive, archive_location, and other_fields (the other CSL variables,
by their CSL names). Everything CSL-JSON 1.0.2 can say of an item's type, names and dates is kept as CSL says it.

A file is read entry by entry: each Entry holds its record, or the problem that keeps it out, and notes on what was
changed on the way in (a DOI given as a URL, a date kept as written, a duplicate key). Only what spoils the whole file
(not JSON, more entries than an import takes) raises BibliographyError.

The work of reading a file is bounded, not only its size: at most MAX_ENTRIES entries, counted before any entry
is read; a BibTeX field's length checked before its LaTeX is decoded, and the decoding of a whole file held to
LATEX_BUDGET (bench/import_bench.py measures both formats at the cap).
"""

from __future__ import annotations

import calendar
import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import bibtexparser
from bibtexparser import model as bibtex_model
from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts, split_multiple_persons_names
from pylatexenc import latex2text

from . import text as textlib

# Item types ------------------------------------------------------------------------------------------

# Every item type of CSL 1.0.2, with the name the pages show. COMMON_TYPES come first in the form.
CSL_TYPES = {
    "article": "Article (preprint, working paper)",
    "article-journal": "Journal article",
    "article-magazine": "Magazine article",
    "article-newspaper": "Newspaper article",
    "bill": "Bill",
    "book": "Book",
    "broadcast": "Broadcast (radio, television)",
    "chapter": "Book chapter",
    "classic": "Classic work",
    "collection": "Archival collection",
    "dataset": "Dataset",
    "document": "Document",
    "entry": "Entry in a reference work",
    "entry-dictionary": "Dictionary entry",
    "entry-encyclopedia": "Encyclopedia entry",
    "event": "Event",
    "figure": "Figure",
    "graphic": "Image or artwork",
    "hearing": "Hearing",
    "interview": "Interview",
    "legal_case": "Legal case",
    "legislation": "Law (legislation)",
    "manuscript": "Archival document",
    "map": "Map",
    "motion_picture": "Film",
    "musical_score": "Musical score",
    "pamphlet": "Pamphlet",
    "paper-conference": "Conference paper",
    "patent": "Patent",
    "performance": "Performance",
    "periodical": "Periodical (a whole issue)",
    "personal_communication": "Letter or personal communication",
    "post": "Forum post",
    "post-weblog": "Blog post",
    "regulation": "Regulation",
    "report": "Report",
    "review": "Review",
    "review-book": "Book review",
    "software": "Software",
    "song": "Song or recording",
    "speech": "Speech",
    "standard": "Standard",
    "thesis": "Thesis",
    "treaty": "Treaty",
    "webpage": "Web page",
}
COMMON_TYPES = (
    "book",
    "article-journal",
    "chapter",
    "manuscript",
    "speech",
    "article-newspaper",
    "report",
    "webpage",
    "post",
    "interview",
    "thesis",
    "legislation",
    "map",
    "motion_picture",
    "dataset",
)
SOURCE_TYPES = tuple(CSL_TYPES)

# The name roles of CSL 1.0.2 (its name variables), as the pages call them. "author" is Source.authors; the others
# are Source.contributors, by role.
NAME_ROLES = {
    "author": "Authors",
    "editor": "Editors",
    "translator": "Translators",
    "container-author": "Authors of the container",
    "collection-editor": "Series editors",
    "editorial-director": "Editorial directors",
    "compiler": "Compilers",
    "chair": "Chairs",
    "composer": "Composers",
    "contributor": "Contributors",
    "curator": "Curators",
    "director": "Directors",
    "executive-producer": "Executive producers",
    "guest": "Guests",
    "host": "Hosts",
    "illustrator": "Illustrators",
    "interviewer": "Interviewers",
    "narrator": "Narrators",
    "organizer": "Organizers",
    "original-author": "Original authors",
    "performer": "Performers",
    "producer": "Producers",
    "recipient": "Recipients",
    "reviewed-author": "Authors of the reviewed work",
    "script-writer": "Script writers",
    "series-creator": "Series creators",
}
CONTRIBUTOR_ROLES = tuple(role for role in NAME_ROLES if role != "author")
# The parts of a CSL name, and those that are flags rather than text.
NAME_PARTS = (
    "family",
    "given",
    "dropping-particle",
    "non-dropping-particle",
    "suffix",
    "literal",
    "comma-suffix",
    "static-ordering",
    "parse-names",
)
_NAME_FLAGS = ("comma-suffix", "static-ordering", "parse-names")

# Simple text fields: Source field name -> CSL-JSON variable.
CSL_FIELDS = {
    "title": "title",
    "container_title": "container-title",
    "volume": "volume",
    "issue": "issue",
    "pages": "page",
    "publisher": "publisher",
    "publisher_place": "publisher-place",
    "url": "URL",
    "doi": "DOI",
    "archive": "archive",
    "archive_location": "archive_location",
}
FIELD_LIMITS = {
    "title": 500,
    "container_title": 500,
    "volume": 40,
    "issue": 40,
    "pages": 40,
    "publisher": 300,
    "publisher_place": 300,
    "url": 1000,
    "doi": 200,
    "archive": 300,
    "archive_location": 300,
}
TEXT_FIELDS = tuple(FIELD_LIMITS)

# The other CSL 1.0.2 variables a source keeps (Source.other_fields), by their CSL names: text and numbers, and dates.
# Left out: what is not part of a reference (abstract, annote, keyword, references) and what the CSL processor makes.
OTHER_TEXT_VARIABLES = (
    "archive_collection",
    "archive-place",
    "authority",
    "call-number",
    "chapter-number",
    "citation-key",
    "collection-number",
    "collection-title",
    "container-title-short",
    "dimensions",
    "division",
    "edition",
    "event",
    "event-place",
    "event-title",
    "genre",
    "ISBN",
    "ISSN",
    "jurisdiction",
    "language",
    "license",
    "medium",
    "note",
    "number",
    "number-of-pages",
    "number-of-volumes",
    "original-publisher",
    "original-publisher-place",
    "original-title",
    "part",
    "part-title",
    "PMCID",
    "PMID",
    "printing",
    "reviewed-genre",
    "reviewed-title",
    "scale",
    "section",
    "source",
    "status",
    "supplement",
    "title-short",
    "translated-title",
    "version",
)
OTHER_DATE_VARIABLES = ("accessed", "available-date", "event-date", "original-date", "submitted")
OTHER_VARIABLES = OTHER_TEXT_VARIABLES + OTHER_DATE_VARIABLES
OTHER_FIELD_LIMIT = 1000
LITERAL_DATE_LIMIT = 200

# The most entries one file may hold. Reading and saving 5,000 takes 2 to 3 s of a worker's CPU (bench/README.md,
# "Importing sources"); the cap keeps a 5 MB file of tiny entries from holding a worker until it is killed.
MAX_ENTRIES = 5_000


class BibliographyError(ValueError):
    """A file or record that cannot be taken; the message names the entry and is for the user."""


class FileTooCostly(BibliographyError):
    """A file whose reading would cost more than one import may spend: refused whole, whatever its entries."""


def _error(where: str, message: str) -> BibliographyError:
    return BibliographyError(f"{where}: {message}" if where else message[0].upper() + message[1:])


@dataclass
class Entry:
    """One entry of a file as read: its record, or the problem that keeps it out; and notes on what was changed or
    kept as written on the way in."""

    label: str
    record: dict | None = None
    problem: str = ""
    notes: list[str] = field(default_factory=list)


def type_name(csl_type: str) -> str:
    return CSL_TYPES.get(csl_type, csl_type)


# Names -------------------------------------------------------------------------------------------


def _split_particle(words: list[str], leading: bool) -> tuple[str, str]:
    """(particle, rest): the lower-case words at the start (leading) or end of a name part, as CSL's parse-names
    reads them ("van der Berg": "van der", "Berg"; given "Ludwig van": "van", "Ludwig"). A part of one word has none."""
    if len(words) < 2:
        return "", " ".join(words)
    lower = [w[:1].islower() for w in words]
    if leading:
        n = next((i for i, low in enumerate(lower) if not low), len(words))
        n = min(n, len(words) - 1)
        return " ".join(words[:n]), " ".join(words[n:])
    n = next((i for i, low in enumerate(reversed(lower)) if not low), len(words))
    n = min(n, len(words) - 1)
    return " ".join(words[len(words) - n :]), " ".join(words[: len(words) - n])


def parse_name(text: str) -> dict:
    """One CSL name from 'Family, Given' or 'Family, Given, Suffix' (as BibTeX and Zotero write them), with particles
    as CSL reads them ('van der Berg, Jan'; 'Beethoven, Ludwig van'); text with no comma is a literal name."""
    parts = [" ".join(p.split()) for p in text.split(",")]
    if len(parts) == 1:
        return {"literal": parts[0]}
    family_part, given_part, suffix = parts[0], parts[1], ", ".join(p for p in parts[2:] if p)
    particle, family = _split_particle(family_part.split(), leading=True)
    dropping, given = _split_particle(given_part.split(), leading=False)
    name = {"family": family}
    if given:
        name["given"] = given
    if particle:
        name["non-dropping-particle"] = particle
    if dropping:
        name["dropping-particle"] = dropping
    if suffix:
        name["suffix"] = suffix
    return name


def parse_names(text: str) -> list[dict]:
    """CSL names from text, one per line (or separated by ';'): 'Family, Given[, Suffix]' or a literal name."""
    return [parse_name(part) for part in re.split(r"[\n;]", text) if part.strip()]


def name_text(name: Any) -> str:
    """One CSL name as 'Family, Given[, Suffix]' with its particles where parse_name reads them (or its literal
    form). Anything else stored (text, a number) as itself."""
    if not isinstance(name, dict):
        return str(name)
    if name.get("literal"):
        return str(name["literal"])
    family = " ".join(str(name[k]) for k in ("non-dropping-particle", "family") if name.get(k))
    given = " ".join(str(name[k]) for k in ("given", "dropping-particle") if name.get(k))
    text = f"{family}, {given}" if family and given else family or given
    if name.get("suffix"):
        text += f", {name['suffix']}" if family and given else f" {name['suffix']}"
    return text


def names_text(names: Any, separator: str = "; ") -> str:
    return separator.join(n for n in (name_text(x) for x in _as_names(names)) if n)


def _as_names(names: Any) -> list:
    """A stored name list as a list, whatever was stored: the admin edits it as JSON."""
    if isinstance(names, list):
        return names
    return [names] if names else []


def check_names(value: Any, where: str, role: str = "author") -> list[dict]:
    """A CSL name list, or BibliographyError."""
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(n, dict) for n in value):
        raise _error(where, f'“{role}” must be a list of names like {{"family": ..., "given": ...}}.')
    names = []
    for n in value:
        kept = {}
        for key in NAME_PARTS:
            part = n.get(key)
            if part in (None, "", False):
                continue
            if key in _NAME_FLAGS:
                kept[key] = part if isinstance(part, (bool, int)) else str(part)
            elif isinstance(part, (str, int, float)) and not isinstance(part, bool):
                text = " ".join(str(part).split())
                if text:
                    kept[key] = text
            else:
                raise _error(where, f"a name in “{role}” has a “{key}” that is not text.")
        if not any(kept.get(k) for k in ("family", "literal")):
            what = "an author" if role == "author" else f"a name in “{role}”"
            raise _error(where, f"{what} has neither a family name nor a literal name.")
        names.append(kept)
    return names


def check_contributors(value: Any, where: str) -> dict[str, list[dict]]:
    """Names by their CSL roles other than author: {"editor": [...], ...}, or BibliographyError."""
    if value in (None, "", {}):
        return {}
    if not isinstance(value, dict):
        raise _error(where, 'the names by role must be an object like {"editor": [{"family": ...}]}.')
    out = {}
    for role, names in value.items():
        if role not in CONTRIBUTOR_ROLES:
            raise _error(where, f"“{role}” is not a CSL name role ({', '.join(CONTRIBUTOR_ROLES)}).")
        names = check_names(names, where, role)
        if names:
            out[role] = names
    return out


def names_for_search(authors: Any, contributors: Any) -> str:
    """Every name of a source, authors first, as plain text for search."""
    roles = contributors.values() if isinstance(contributors, dict) else []
    return " ".join(text for text in [names_text(authors, " "), *(names_text(n, " ") for n in roles)] if text)


def contributors_text(contributors: Any) -> list[tuple[str, str]]:
    """(role's name, names) for each role that has names, in NAME_ROLES' order."""
    if not isinstance(contributors, dict):
        return []
    return [(NAME_ROLES[role], names_text(contributors[role])) for role in CONTRIBUTOR_ROLES if contributors.get(role)]


# DOIs --------------------------------------------------------------------------------------------

# The DOI resolvers whose addresses carry a DOI in their path (doi.org and its older names, ACM's own).
_DOI_RESOLVER = re.compile(r"^https?://(?:(?:dx\.|www\.)?doi\.org|doi\.acm\.org|(?:www\.)?doi\.info)/+", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|info:doi/)", re.IGNORECASE)
# 10.prefix/suffix: registrants' prefixes are numbers (10.1000, 10.1000.10); old DOIs hold any printable character in
# their suffix.
_DOI = re.compile(r"^10\.\d+(?:\.\d+)*/\S+$")


def normalise_doi(doi: str) -> str:
    """A DOI without its resolver's address or 'doi:', lower-cased (DOIs are case-insensitive), or ''. What does not
    hold a DOI comes back without change but its case: read_doi says what it is."""
    doi = (doi or "").strip()
    resolver = _DOI_RESOLVER.match(doi)
    if resolver:
        doi = unquote(doi[resolver.end() :])
    return _DOI_PREFIX.sub("", doi).strip().lower()


def read_doi(value: str) -> tuple[str, str]:
    """(doi, url) from a DOI field as files hold it: a bare DOI, 'doi:...', or a resolver's address
    (https://doi.org/..., http://dx.doi.org/..., http://doi.acm.org/...) give the bare DOI; another web address is
    no DOI, and comes back as the url. BibliographyError for anything else."""
    value = " ".join((value or "").split())
    if not value:
        return "", ""
    doi = normalise_doi(value)
    if _DOI.match(doi):
        return doi, ""
    if re.match(r"^https?://\S+$", value, re.IGNORECASE):
        return "", value
    raise BibliographyError(f"“{value[:80]}” is not a DOI (a DOI reads 10.NNNN/…).")


# Dates -------------------------------------------------------------------------------------------
# A date is stored as CSL-JSON writes one: {"date-parts": [[1984, 5, 12]]}, a range as two parts
# ([[1984], [1986]]), years before the Common Era negative as CSL numbers them (-334 is 334 BC: there is no year 0),
# with "season" (1-4: spring to winter, or a name), "circa": true, or a "literal" date kept as written. {} is none.

SEASONS = {1: "Spring", 2: "Summer", 3: "Autumn", 4: "Winter"}
_SEASON_NUMBERS = {"spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}
_MONTHS = {
    name: i
    for i, name in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)
}
DATE_FORMS = "1984, 1984-05, 1984-05-12, 1984/1986 (a range), 334 BC, c. 1850, Spring 1937"
_CIRCA = re.compile(r"^(?:circa|ca\.?|c\.|c(?=\d)|approx\.?)\s*(.+)$", re.IGNORECASE)
_SEASON = re.compile(r"^(spring|summer|autumn|fall|winter)\s+(.+)$", re.IGNORECASE)
_TEXT_DATE = re.compile(r"^(\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:\s*(b\.?\s?c\.?(?:\s?e\.?)?))?$", re.IGNORECASE)
_EDTF_DATE = re.compile(r"^(-?\d{4,})(?:-(\d{2})(?:-(\d{2}))?)?([?~%]?)$")


def _date_part(year: int, month: int | None = None, day: int | None = None) -> list[int]:
    """[year, month, day] checked: a month of 1-12, a day that its month has."""
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"{month} is not a month")
    if day is not None:
        if month is None:
            raise ValueError("a day needs its month")
        # Years before the Common Era have no calendar here: any day up to 31.
        days = calendar.monthrange(year, month)[1] if year > 0 else 31
        if not 1 <= day <= days:
            raise ValueError(f"{day} is not a day of that month")
    return [n for n in (year, month, day) if n is not None]


def _ordered(parts: list[list[int]]) -> list[list[int]]:
    if len(parts) == 2:
        start, end = (p + [0] * (3 - len(p)) for p in parts)
        if end < start:
            raise ValueError("the range ends before it starts")
        if parts[0] == parts[1]:
            return parts[:1]
    return parts


def _text_part(text: str) -> tuple[list[int], int | None]:
    """One date of our text form: (parts, season or None). ValueError if it is not one."""
    season = None
    match = _SEASON.match(text)
    if match:
        season, text = _SEASON_NUMBERS[match.group(1).lower()], match.group(2)
    if text.startswith("-"):
        raise ValueError("a year before the Common Era is written 334 BC (ISO's -334 would be 335 BC)")
    match = _TEXT_DATE.match(text)
    if not match:
        raise ValueError("it is not a date")
    year = int(match.group(1))
    month, day = (int(g) if g else None for g in match.groups()[1:3])
    if match.group(4):
        year = -year
    if month and 21 <= month <= 24 and day is None:  # EDTF's seasons
        season, month = month - 20, None
    if year == 0:
        raise ValueError("there is no year 0 (1 BC is followed by AD 1)")
    return _date_part(year, month, day), season


def parse_date(text: str) -> dict:
    """A CSL date from the text people type: one of DATE_FORMS (also 'circa 1850', '1850~', 'Spring 1937' or
    '1937-21', '1984-1986', '44-03-15 BC'). {} for no text; BibliographyError naming what is wrong."""
    text = " ".join((text or "").split())
    if not text:
        return {}
    date: dict = {}
    body = text
    match = _CIRCA.match(body)
    if match:
        date["circa"], body = True, match.group(1)
    if body.endswith("~"):
        date["circa"], body = True, body[:-1].strip()
    sides = re.split(r"\s*(?:/|–|—|--)\s*", body)
    if len(sides) == 1 and re.fullmatch(r"\d{4}-\d{4}", body):
        sides = body.split("-")
    try:
        if len(sides) > 2:
            raise ValueError("a range has two ends")
        read = [_text_part(side) for side in sides]
        seasons = {season for _, season in read if season}
        if len(read) == 2 and seasons:
            raise ValueError("a season is given for a single year")
        date["date-parts"] = _ordered([parts for parts, _ in read])
    except ValueError as exc:
        raise BibliographyError(
            f"The date “{text[:80]}” cannot be read: {exc}. Write it as one of {DATE_FORMS}."
        ) from None
    if seasons:
        date["season"] = seasons.pop()
    return {key: date[key] for key in ("date-parts", "season", "circa") if key in date}


def parse_edtf(text: str) -> dict | None:
    """A CSL date from EDTF / ISO 8601-2 (biblatex's date fields, CSL-JSON's date strings): '1984', '1984-05-12',
    '1984/1986', '1850~' (circa), '1937-21' (a season), '-0333' (ISO counts a year 0: 334 BC). A time of day is
    dropped, '?' (uncertain) too. None if it is not such a date (an open range, unspecified digits)."""
    text = (text or "").strip()
    if not text:
        return {}
    date: dict = {}
    parts, season = [], None
    sides = text.split("/")
    if len(sides) > 2:
        return None
    for side in sides:
        side = side.split("T")[0]
        match = _EDTF_DATE.match(side)
        if not match:
            return None
        year = int(match.group(1))
        month, day = (int(g) if g else None for g in match.groups()[1:3])
        if match.group(4) in ("~", "%"):
            date["circa"] = True
        if year <= 0:
            year -= 1  # ISO's year 0 is 1 BC, CSL's -1
        if month and 21 <= month <= 24 and day is None:
            season, month = month - 20, None
        try:
            parts.append(_date_part(year, month, day))
        except ValueError:
            return None
    try:
        date["date-parts"] = _ordered(parts)
    except ValueError:
        return None
    if season and len(parts) == 1:
        date["season"] = season
    return {key: date[key] for key in ("date-parts", "season", "circa") if key in date}


def _year_text(year: int) -> str:
    return f"{-year} BC" if year < 0 else str(year)


def _part_text(part: list) -> str:
    year, rest = part[0], [f"{n:02d}" for n in part[1:]]
    if year < 0:
        return "-".join([str(-year), *rest]) + " BC"
    return "-".join([str(year), *rest])


def date_text(date: Any) -> str:
    """A CSL date as parse_date reads it back: '1984-05-12', '1984/1986', '334 BC', 'c. 1850', 'Spring 1937'; a literal
    date as written. Anything else stored (a raw date from before dates were checked) as itself."""
    if not date:
        return ""
    if not isinstance(date, dict):
        return str(date)
    if date.get("literal"):
        return str(date["literal"])
    parts = date.get("date-parts")
    if not isinstance(parts, list) or not parts or not all(isinstance(p, list) and p for p in parts):
        return str(date.get("raw") or "")
    try:
        text = "/".join(_part_text([int(n) for n in part]) for part in parts)
    except (TypeError, ValueError):
        return str(date.get("raw") or "")
    season = date.get("season")
    if season:
        season = SEASONS.get(season, season) if isinstance(season, int) else str(season)
        text = f"{season} {text}"
    if date.get("circa"):
        text = f"c. {text}"
    return text


def year_of(date: Any) -> int | None:
    """The first year of a CSL date, or None."""
    try:
        return int(date["date-parts"][0][0])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


class CSLDate(dict):
    """A stored CSL date (Source.issued), which reads as its text where a sentence or a cell shows it."""

    def __str__(self) -> str:
        return date_text(self)


class CSLDateDecoder(json.JSONDecoder):
    """JSON decoding of Source.issued: the date as a CSLDate."""

    def decode(self, s, *args, **kwargs):
        value = super().decode(s, *args, **kwargs)
        return CSLDate(value) if isinstance(value, dict) else value


def _number(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, str):
        value = value.strip()
    return int(value)


def date_from_csl(value: Any, where: str = "", key: str = "issued", notes: list | None = None) -> dict:
    """A CSL date as files write it (an object with date-parts, season, circa, literal, raw or edtf; or an EDTF string)
    as stored: date-parts as numbers, a range as two parts, a raw date read (or kept as written, with a note)."""
    if value in (None, "", {}):
        return {}
    if isinstance(value, str):
        value = {"raw": value}
    if not isinstance(value, dict):
        raise _error(where, f'“{key}” is not a CSL date ({{"date-parts": [[2002, 1]]}}).')
    date: dict = {}
    parts = value.get("date-parts")
    if parts not in (None, [], [[]], [[""]], [[None]]):
        if (
            not isinstance(parts, list)
            or not 1 <= len(parts) <= 2
            or not all(isinstance(p, list) and 1 <= len(p) <= 3 for p in parts)
        ):
            raise _error(where, f"“{key}” has date-parts that are not one or two dates of up to 3 numbers.")
        try:
            numbers = [[_number(n) for n in part if n not in ("", None)] for part in parts]
        except (TypeError, ValueError):
            raise _error(where, f"“{key}” has date parts that are not numbers.") from None
        season: Any = None
        checked = []
        for part in numbers:
            while len(part) > 1 and part[-1] == 0:  # a month or day of 0: none given
                part.pop()
            if len(part) == 2 and (13 <= part[1] <= 16 or 21 <= part[1] <= 24):  # seasons as months (citeproc-js)
                season, part = (part[1] - 12 if part[1] <= 16 else part[1] - 20), part[:1]
            try:
                checked.append(_date_part(*part))
            except (TypeError, ValueError) as exc:
                raise _error(where, f"“{key}” is not a date: {exc}.") from None
        try:
            date["date-parts"] = _ordered(checked)
        except ValueError as exc:
            raise _error(where, f"“{key}”: {exc}.") from None
        if season:
            date["season"] = season
    elif value.get("edtf") or value.get("raw"):
        written = str(value.get("edtf") or value.get("raw")).strip()
        read = parse_edtf(written)
        if read is None:
            try:
                read = parse_date(written)
            except BibliographyError:
                read = {"literal": written}
                if notes is not None:
                    notes.append(f"the date “{written[:80]}” is kept as written")
        date.update(read)
    season = value.get("season")
    if season not in (None, "", 0):
        if isinstance(season, str) and season.strip().isdigit():
            season = int(season)
        if isinstance(season, str):
            season = _SEASON_NUMBERS.get(season.strip().lower(), " ".join(season.split()))
        if isinstance(season, int) and not 1 <= season <= 4:
            raise _error(where, f"“{key}” has a season {season}; CSL numbers seasons 1 to 4.")
        date["season"] = season
    if value.get("circa") not in (None, False, 0, "", "0", "false"):
        date["circa"] = True
    literal = value.get("literal")
    if literal not in (None, ""):
        date["literal"] = " ".join(str(literal).split())
    if (
        not date
        and not any(value.get(k) for k in ("date-parts", "literal", "raw", "edtf"))
        and set(value) - {"date-parts", "season", "circa"}
    ):
        raise _error(where, f'“{key}” is not a CSL date ({{"date-parts": [[2002, 1]]}}).')
    if len(date.get("literal", "")) > LITERAL_DATE_LIMIT or len(str(date.get("season", ""))) > 40:
        raise _error(where, f"“{key}” is longer than {LITERAL_DATE_LIMIT} characters.")
    if "date-parts" not in date and "literal" not in date:
        return {}
    return {k: date[k] for k in ("date-parts", "season", "circa", "literal") if k in date}


def check_issued(value: Any, where: str = "") -> dict:
    """A date issued as stored (a CSL date object), checked; text is read as parse_date reads it."""
    if isinstance(value, str):
        return parse_date(value) if not where else _where(where, parse_date, value)
    return date_from_csl(value, where)


def check_csl_date(value: Any, where: str = "", key: str = "issued") -> dict:
    """A stored date: a CSL date object ({} for none), checked; anything else is refused."""
    if not isinstance(value, dict):
        raise _error(where, f'“{key}” must be a CSL date such as {{"date-parts": [[1937, 3]]}} ({{}} for none).')
    return date_from_csl(value, where, key)


def _where(where: str, function, *args):
    try:
        return function(*args)
    except BibliographyError as exc:
        message = str(exc)
        raise _error(where, message[0].lower() + message[1:]) from None


# Records -----------------------------------------------------------------------------------------


def check_other_fields(value: Any, where: str, notes: list | None = None) -> dict:
    """Other CSL variables of a source ({"edition": "2", "accessed": {...}}), checked; a value over its limit is
    left out with a note when notes are taken, else refused."""
    if value in (None, "", {}):
        return {}
    if not isinstance(value, dict):
        raise _error(where, "the other fields must be an object of CSL variables.")
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key not in OTHER_VARIABLES:
            raise _error(where, f"“{key}” is not one of the CSL variables a source keeps.")
        if key in OTHER_DATE_VARIABLES:
            date = date_from_csl(item, where, key, notes)
            if date:
                out[key] = date
            continue
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str):
            raise _error(where, f"“{key}” must be text.")
        item = " ".join(item.split())
        if len(item) > OTHER_FIELD_LIMIT:
            if notes is None:
                raise _error(where, f"“{key}” is longer than {OTHER_FIELD_LIMIT:,} characters.")
            notes.append(f"“{key}” is longer than {OTHER_FIELD_LIMIT:,} characters and was left out")
            continue
        if item:
            out[key] = item
    return out


def clean_record(record: dict, where: str, notes: list | None = None) -> dict:
    """Check and tidy a record's values: a title, a CSL type, valid names, dates and DOI, lengths within limits.
    Notes on what was changed on the way (a DOI given as a URL) go to `notes` when given."""
    out = dict(record)
    for key, limit in FIELD_LIMITS.items():
        value = " ".join(str(out.get(key) or "").split())
        if len(value) > limit:
            raise _error(where, f"“{key}” is longer than {limit} characters.")
        out[key] = value
    for key, value in out.items():
        problem = textlib.unstorable(value)
        if problem:
            raise _error(where, f"“{key}” holds {problem}, which cannot be stored.")
    if not out["title"]:
        raise _error(where, "the source has no title.")
    if out.get("type") not in CSL_TYPES:
        raise _error(
            where,
            f"the type “{str(out.get('type'))[:40]}” is not one of CSL's item types (book, article-journal, "
            "chapter, manuscript, map, motion_picture, legislation, dataset…).",
        )
    out["issued"] = check_issued(out.get("issued"), where)
    try:
        doi, url = read_doi(out["doi"])
    except BibliographyError as exc:
        raise _error(where, str(exc)[0].lower() + str(exc)[1:]) from None
    if url:
        if out["url"] and out["url"] != url:
            raise _error(where, f"the DOI “{url[:80]}” is a web address, not a DOI, and the source has a URL already.")
        out["url"] = url
        if notes is not None:
            notes.append(f"the DOI field held the web address “{url[:80]}”, kept as the URL")
    elif doi and notes is not None and " ".join(str(record.get("doi") or "").split()).lower() not in (doi, ""):
        if re.match(r"^https?://", str(record.get("doi")).strip(), re.IGNORECASE):
            notes.append(f"the DOI given as a web address is kept as the DOI {doi}")
    out["doi"] = doi
    if out["url"] and not re.match(r"^https?://[^\s/]+", out["url"], re.IGNORECASE):
        raise _error(where, f"the URL “{out['url'][:80]}” does not start with http:// or https://.")
    out["authors"] = check_names(out.get("authors") or [], where)
    out["contributors"] = check_contributors(out.get("contributors"), where)
    out["other_fields"] = check_other_fields(out.get("other_fields"), where, notes)
    return out


def other_fields_text(other: Any) -> list[tuple[str, str]]:
    """(variable, value as text) for each other CSL variable a source holds, in CSL's order."""
    if not isinstance(other, dict):
        return []
    return [
        (key, date_text(other[key]) if key in OTHER_DATE_VARIABLES else str(other[key]))
        for key in OTHER_VARIABLES
        if other.get(key) not in (None, "", {})
    ]


def empty_record(**values) -> dict:
    record: dict = dict.fromkeys(TEXT_FIELDS, "")
    record.update(type="document", authors=[], contributors={}, issued={}, other_fields={})
    record.update(values)
    return record


def entry_label(item: Any, index: int) -> str:
    """How an error names an entry: its number, id and title when it has them."""
    label = f"Entry {index + 1}"
    if isinstance(item, dict):
        # Only text that can be shown: a lone surrogate in the message would break the page that shows it.
        named = {
            key: value for key, value in item.items() if isinstance(value, (str, int)) and not textlib.unstorable(value)
        }
        if named.get("id") not in (None, ""):
            label += f" (id “{named['id']}”)"
        elif isinstance(title := named.get("title"), str) and title.strip():
            label += f" (“{title.strip()[:60]}”)"
    return label


# CSL-JSON ------------------------------------------------------------------------------------------


def record_from_csl(item: Any, index: int, notes: list | None = None, where: str = "") -> dict:
    """One CSL-JSON item as a record, or BibliographyError naming it (as `where`, else by entry_label)."""
    where = where or entry_label(item, index)
    if not isinstance(item, dict):
        raise _error(where, "it is not a JSON object.")
    csl_type = item.get("type", "")
    if not isinstance(csl_type, str):
        raise _error(where, "“type” must be text.")
    record: dict[str, Any] = {"type": csl_type}
    for name, key in CSL_FIELDS.items():
        value = item.get(key, "")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise _error(where, f"“{key}” must be text.")
        record[name] = value
    record["authors"] = check_names(item.get("author"), where)
    record["contributors"] = {role: item[role] for role in CONTRIBUTOR_ROLES if item.get(role) not in (None, "", [])}
    record["issued"] = date_from_csl(item.get("issued"), where, "issued", notes)
    record["other_fields"] = {key: item[key] for key in OTHER_VARIABLES if item.get(key) not in (None, "", {})}
    return clean_record(record, where, notes)


# The CSL-JSON variables an item of ours holds (and its "id"): what an edit may send.
CSL_VARIABLES = ("id", "type", "author", *CONTRIBUTOR_ROLES, "issued", *CSL_FIELDS.values(), *OTHER_VARIABLES)


def csl_faults(item: dict, keys, base: dict) -> dict[str, str]:
    """Which of `keys` a CSL-JSON item cannot hold as it has them, each with the reason: each tried alone on `base`
    (an item that can be taken), so that an edit's errors are each tied to its variable. An unknown variable is a
    fault too. Empty when no variable is at fault alone (two that clash: a DOI that is a web address and a URL), or
    when `base` itself cannot be taken (a source stored before its values were checked)."""
    try:
        record_from_csl(base, 0, where="item")
    except BibliographyError:
        return {}
    faults = {}
    for key in keys:
        if key not in CSL_VARIABLES:
            faults[key] = "Not one of the CSL-JSON variables a source keeps."
            continue
        probe = {k: v for k, v in base.items() if k != key}
        if key in item:
            probe[key] = item[key]
        try:
            record_from_csl(probe, 0, where="item")
        except BibliographyError as exc:
            reason = str(exc).removeprefix("item: ")
            faults[key] = reason[0].upper() + reason[1:]
    return faults


def _too_many(count: str) -> BibliographyError:
    return BibliographyError(
        f"The file holds {count} entries; one import takes at most {MAX_ENTRIES:,}. Split it into smaller files."
    )


def read_csl_json(data: str) -> list[Entry]:
    """The entries of a CSL-JSON file (a list of items, or one item), each read or refused on its own.
    BibliographyError for a file that is not CSL-JSON at all or holds more than MAX_ENTRIES entries."""
    try:
        items = json.loads(data)
    except json.JSONDecodeError as exc:
        raise BibliographyError(textlib.json_problem(exc)) from None
    except RecursionError:
        # json's parser recurses once per nested list or object; CSL-JSON nests five deep.
        raise BibliographyError(
            "The file is not CSL-JSON: its lists and objects are nested too deeply to read."
        ) from None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise BibliographyError("A CSL-JSON file holds a list of items.")
    if not items:
        raise BibliographyError("The file holds no entries.")
    if len(items) > MAX_ENTRIES:
        raise _too_many(f"{len(items):,}")
    entries = []
    for i, item in enumerate(items):
        entry = Entry(entry_label(item, i))
        try:
            entry.record = record_from_csl(item, i, entry.notes, entry.label)
        except BibliographyError as exc:
            entry.problem = str(exc).removeprefix(entry.label).lstrip(": ")
        entries.append(entry)
    return entries


def parse_csl_json(data: str) -> list[dict]:
    """Records from a CSL-JSON file, all or none: BibliographyError naming the first entry that cannot be read."""
    return records_of(read_csl_json(data))


def records_of(entries: list[Entry]) -> list[dict]:
    """The records of a file read whole: BibliographyError naming the first entry that cannot be taken. Entries left
    out with a note (a key used again) are left out."""
    for entry in entries:
        if entry.problem:
            raise BibliographyError(f"{entry.label}: {entry.problem}")
    return [entry.record for entry in entries if entry.record is not None]


def _csl_date(date: Any) -> dict:
    """A stored date as CSL-JSON writes it. Whatever is stored: text from before dates were checked is CSL's raw."""
    if isinstance(date, str):
        try:
            date = parse_date(date)
        except BibliographyError:
            return {"raw": date}
    if not isinstance(date, dict):
        return {"raw": str(date)}
    return {k: date[k] for k in ("date-parts", "season", "circa", "literal", "raw") if date.get(k) not in (None, "")}


def to_csl(record: dict, item_id: str) -> dict:
    """A record (or a Source's field values) as a CSL-JSON item. Whatever a stored source holds, this writes an
    item: a date issued that is not one (from before dates were checked) is CSL's raw date, a name that is not a
    CSL name a literal one; so one bad row never takes down an export."""
    item: dict = {"id": item_id, "type": record["type"], "title": record["title"]}

    def names(value):
        return [n if isinstance(n, dict) else {"literal": str(n)} for n in _as_names(value)]

    if record.get("authors"):
        item["author"] = names(record["authors"])
    contributors = record.get("contributors") or {}
    if isinstance(contributors, dict):
        for role in CONTRIBUTOR_ROLES:
            if contributors.get(role):
                item[role] = names(contributors[role])
    if record.get("issued"):
        item["issued"] = _csl_date(record["issued"])
    for name, key in CSL_FIELDS.items():
        if name != "title" and record.get(name):
            item[key] = record[name]
    other = record.get("other_fields") or {}
    if isinstance(other, dict):
        for key in OTHER_VARIABLES:
            if other.get(key) not in (None, "", {}):
                item[key] = _csl_date(other[key]) if key in OTHER_DATE_VARIABLES else other[key]
    return item


# BibTeX ------------------------------------------------------------------------------------------

# BibTeX and biblatex entry types -> CSL types (biblatex's manual, §2.1; Better BibTeX's and JabRef's exports).
BIBTEX_TYPES = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "bookinbook": "chapter",
    "inbook": "chapter",
    "suppbook": "chapter",
    "incollection": "chapter",
    "suppcollection": "chapter",
    "collection": "book",
    "mvcollection": "book",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "mvproceedings": "book",
    "reference": "book",
    "mvreference": "book",
    "inreference": "entry-encyclopedia",
    "booklet": "pamphlet",
    "manual": "report",
    "misc": "document",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "patent": "patent",
    "periodical": "periodical",
    "suppperiodical": "article-journal",
    "thesis": "thesis",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "report": "report",
    "techreport": "report",
    "unpublished": "manuscript",
    "dataset": "dataset",
    "software": "software",
    "artwork": "graphic",
    "image": "graphic",
    "audio": "song",
    "music": "song",
    "video": "motion_picture",
    "movie": "motion_picture",
    "performance": "performance",
    "letter": "personal_communication",
    "legislation": "legislation",
    "legal": "treaty",
    "jurisdiction": "legal_case",
    "standard": "standard",
    "review": "review",
    "map": "map",
    "dictionary": "book",
    "commentary": "book",
}
# biblatex's entrysubtype of an article.
_ARTICLE_SUBTYPES = {"magazine": "article-magazine", "newspaper": "article-newspaper"}
_CONTAINER_TYPES = ("chapter", "paper-conference", "entry-encyclopedia", "entry-dictionary")
# Where a field's value goes: a Source field, a name role, an other CSL variable, or the date. The limit each is
# held to before its LaTeX is decoded is the limit of where it goes (names: NAMES_LIMIT).
BIBTEX_FIELDS = {
    "title": "title",
    "subtitle": "title",
    "journal": "container_title",
    "journaltitle": "container_title",
    "booktitle": "container_title",
    "volume": "volume",
    "number": "issue",
    "issue": "issue",
    "pages": "pages",
    "publisher": "publisher",
    "institution": "publisher",
    "school": "publisher",
    "organization": "publisher",
    "howpublished": "publisher",
    "address": "publisher_place",
    "location": "publisher_place",
    "url": "url",
    "doi": "doi",
    "eprint": "doi",
    "eprinttype": "volume",
    "archive": "archive",
    "archive_location": "archive_location",
    "year": "issued",
    "date": "issued",
    "month": "issued",
    "urldate": "issued",
    "origdate": "issued",
    "eventdate": "issued",
    "entrysubtype": "volume",
    "author": None,
    "editor": None,
    "translator": None,
    "bookauthor": None,
    "series": "other",
    "edition": "other",
    "isbn": "other",
    "issn": "other",
    "language": "other",
    "type": "other",
    "chapter": "other",
    "eventtitle": "other",
    "venue": "other",
    "version": "other",
    "pubstate": "other",
    "shorttitle": "other",
    "note": "other",
    "origtitle": "other",
    "origlocation": "other",
    "origpublisher": "other",
    "pagetotal": "other",
    "volumes": "other",
    "part": "other",
}
_BIBTEX_NAMES = {"author": "author", "editor": "editor", "translator": "translator", "bookauthor": "container-author"}
_BIBTEX_OTHER = {
    "series": "collection-title",
    "edition": "edition",
    "isbn": "ISBN",
    "issn": "ISSN",
    "language": "language",
    "type": "genre",
    "chapter": "chapter-number",
    "eventtitle": "event-title",
    "venue": "event-place",
    "version": "version",
    "pubstate": "status",
    "shorttitle": "title-short",
    "note": "note",
    "origtitle": "original-title",
    "origlocation": "original-publisher-place",
    "origpublisher": "original-publisher",
    "pagetotal": "number-of-pages",
    "volumes": "number-of-volumes",
    "part": "part",
}
_BIBTEX_DATES = {"urldate": "accessed", "origdate": "original-date", "eventdate": "event-date"}
_DATE_LIMIT = 100

# Before decoding, a field may be this many times its limit (LaTeX escapes and line breaks make text longer);
# a list of names at most NAMES_LIMIT characters.
LATEX_SLACK = 4
NAMES_LIMIT = 20_000
# pylatexenc decodes 5 to 18 µs a character, plus about 0.15 ms a call. The common commands cost nothing (below);
# values with other commands may hold this many characters in one file, each counting 32 more for its call, which
# holds the decoding of any file to about 4 s.
LATEX_BUDGET = 200_000
_LATEX_CALL_COST = 32
# The commands of nearly every real file: an accent on a letter (\"u, \'{e}, \c{c}), a letter of its own (\ss,
# \o{}) or an escaped character (\&). Each decodes alone, whatever stands around it, so each is decoded once and
# remembered; text with no other command, no math, comment or alignment in it is then turned here.
_LATEX_COMMON = re.compile(
    r"(\\[\"'^`~=.](?:[A-Za-z]|\{[A-Za-z]\})"
    r"|\\[cvuHkrdb]\{[A-Za-z]\}"
    r"|\\(?:ss|o|O|aa|AA|ae|AE|oe|OE|l|L)(?![A-Za-z])[ \t\n]*(?:\{\})?"
    r"|\\[&%$_#{}])"
)
_LATEX_MACRO = re.compile(r"[\\$%&]")
# pylatexenc's specials: a no-break space, dashes, TeX's quotes, Spanish inverted marks.
_LATEX_SPECIALS = {"---": "—", "--": "–", "~": "\xa0", "``": "“", "''": "”", "!`": "¡", "?`": "¿"}
_LATEX_SPECIAL = re.compile("|".join(re.escape(s) for s in _LATEX_SPECIALS))  # "---" before "--"
_BLOCK_START = re.compile(r"@\s*[A-Za-z]+\s*[{(]")


def _latex_decoder() -> latex2text.LatexNodes2Text:
    """pylatexenc's decoder as bibtexparser's LatexDecodingMiddleware sets it up: braces dropped, math kept
    as written, and \\url{...} as its bare address."""
    context = latex2text.get_default_latex_context_db()
    context.add_context_category("bibtex", prepend=True, macros=[latex2text.MacroTextSpec("url", simplify_repl="%s")])
    return latex2text.LatexNodes2Text(latex_context=context, keep_braced_groups=False, math_mode="verbatim")


_DECODER = _latex_decoder()


class _LatexBudget:
    """What is left of LATEX_BUDGET for one file."""

    def __init__(self):
        self.left = LATEX_BUDGET

    def spend(self, value: str, where: str) -> None:
        self.left -= len(value) + _LATEX_CALL_COST
        if self.left < 0:
            raise FileTooCostly(
                f"{where}: "
                f"the file holds more LaTeX than one import decodes ({LATEX_BUDGET:,} characters of fields with "
                "LaTeX commands). Split it into smaller files.",
            )


@functools.lru_cache(maxsize=1024)
def _common_command(command: str) -> str:
    return _DECODER.latex_to_text(command)


def _plain(text: str) -> str:
    """Text without commands as pylatexenc reads it: specials turned, braces (which then only group) dropped."""
    return _LATEX_SPECIAL.sub(lambda m: _LATEX_SPECIALS[m.group()], text).replace("{", "").replace("}", "")


def decode_latex(value: str, where: str, key: str, budget: _LatexBudget) -> str:
    """A BibTeX value as plain text, as pylatexenc decodes it (math kept as written). Text whose only commands are
    common ones is turned here, a hundred times faster (tests/test_bibliography.py holds the two to the same
    result); the rest goes to pylatexenc, against the file's budget."""
    pieces = _LATEX_COMMON.split(value)  # text, command, text, command, ..., text
    if not any(_LATEX_MACRO.search(text) for text in pieces[::2]):
        return "".join(_common_command(piece) if i % 2 else _plain(piece) for i, piece in enumerate(pieces))
    budget.spend(value, where)
    try:
        return _DECODER.latex_to_text(value)
    except Exception:  # pylatexenc's parse errors have no common base class
        raise _error(where, f"the LaTeX of “{key}” cannot be read.") from None


_MATH = re.compile(r"(?<!\\)\$([^$]{1,200})(?<!\\)\$")
_SCRIPT = re.compile(r"([_^])(?:\{([^{}]*)\}|(.))")
_SUBSCRIPTS = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_SUPERSCRIPTS = dict(zip("0123456789+-=()in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ"))
_MATH_DECODER = latex2text.LatexNodes2Text(keep_braced_groups=True, math_mode="verbatim")


@functools.lru_cache(maxsize=1024)
def _math_text(math: str) -> str:
    # A library repeats its formulas (H$_2$O in a hundred titles); pylatexenc sets up its parser on every call.
    return _MATH_DECODER.latex_to_text(math)


def _readable_math(value: str, where: str, budget: _LatexBudget) -> str:
    """A BibTeX value with its inline math written as text where Unicode can say it: H{$_2$}O as H₂O, $^{14}$C as
    ¹⁴C, $\\alpha$ as α, $x^2$ as x²; other math stays as written, between its dollars."""

    def script(match):
        table = _SUBSCRIPTS if match.group(1) == "_" else _SUPERSCRIPTS
        body = match.group(2) if match.group(2) is not None else match.group(3)
        if not body or any(c not in table for c in body):
            raise ValueError
        return "".join(table[c] for c in body)

    def turn(match):
        budget.spend(match.group(1), where)
        try:
            turned = _SCRIPT.sub(script, _math_text(match.group(1)))
        except Exception:  # pylatexenc's parse errors have no common base class; ValueError: no Unicode for it
            return match.group()
        return match.group() if re.search(r"[\\{}_^]", turned) else turned

    return _MATH.sub(turn, value) if "$" in value else value


def latex_to_text(value: str, where: str, key: str, budget: _LatexBudget) -> str:
    """A BibTeX value as readable plain text: its inline math turned into text where it can be, then decoded."""
    return decode_latex(_readable_math(value, where, budget), where, key, budget)


def _bibtex_limit(key: str) -> int:
    target = BIBTEX_FIELDS[key]
    if target is None:
        return NAMES_LIMIT
    if target == "other":
        return LATEX_SLACK * OTHER_FIELD_LIMIT
    if target == "issued":
        return LATEX_SLACK * _DATE_LIMIT
    return LATEX_SLACK * FIELD_LIMITS[target]


def _bibtex_names(value: str, where: str, key: str, budget: _LatexBudget) -> list[dict]:
    """CSL names from a BibTeX name list as written ("Getty, J. Arch and van der Berg, Jan and Fulton, James E., Jr.
    and {World Health Organization}"): split first, each part's LaTeX decoded after, so braces keep an institution
    whole and a particle or a suffix goes where CSL has it."""
    names = []
    for part in split_multiple_persons_names(value):
        if part.strip().lower() == "others":  # BibTeX's "et al."
            continue
        stripped = part.strip()
        if stripped.startswith("{") and stripped.endswith("}") and _balanced(stripped[1:-1]):
            literal = " ".join(latex_to_text(stripped, where, key, budget).split())
            if literal:
                names.append({"literal": literal})
            continue
        try:
            parts = parse_single_name_into_parts(part)
        except InvalidNameError as exc:
            raise _error(where, f"the name “{part[:80]}” cannot be read: {exc}.") from None

        def text(words):
            return " ".join(latex_to_text(" ".join(words), where, key, budget).split()) if words else ""

        given, suffix = text(parts.first), text(parts.jr)
        if suffix and _SUFFIX.match(given) and not _SUFFIX.match(suffix):
            # BibTeX reads "Fulton, James E., Jr." as "von Last, Jr, First"; Zotero and people mean Last, First, Jr.
            given, suffix = suffix, given
        name = {"family": text(parts.last), "given": given, "non-dropping-particle": text(parts.von), "suffix": suffix}
        name = {k: v for k, v in name.items() if v}
        if not name.get("family"):
            name = {"literal": text([part])}
        names.append(name)
    return names


_SUFFIX = re.compile(r"^(?:jr|sr|jun|sen|junior|senior|[IVX]{1,5}|\d{1,2}(?:st|nd|rd|th))\.?$", re.IGNORECASE)


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _bibtex_month(month: str) -> int | None:
    month = month.strip().lower()
    number: int | None
    if month.isdecimal() and month.isascii():
        number = int(month)
    else:
        number = _MONTHS.get(month[:3]) if len(month) >= 3 else None
    return number if number and 1 <= number <= 12 else None


def _bibtex_date(value: str, key: str, notes: list) -> dict:
    """A biblatex date field (EDTF), or a BibTeX year read as people write it ('1984--1986', 'c. 1850'); what is
    neither is kept as written, with a note."""
    read = parse_edtf(value)
    if read is None:
        try:
            read = parse_date(value)
        except BibliographyError:
            read = {"literal": value[:LITERAL_DATE_LIMIT]}
            notes.append(f"the {key} “{value[:80]}” is not a date we read: kept as written")
    return read


def _bibtex_issued(text: dict, notes: list) -> dict:
    if text.get("date"):
        return _bibtex_date(text["date"], "date", notes)
    year = text.get("year", "")
    if not year:
        return {}
    month = _bibtex_month(text.get("month", ""))
    if re.fullmatch(r"\d{1,4}", year) and int(year) > 0:
        return {"date-parts": [[int(year), month] if month else [int(year)]]}
    return _bibtex_date(year, "year", notes)


def _merge_crossref(entry, parents: dict, notes: list) -> dict[str, str]:
    """An entry's fields as written, with those it lacks taken from the entry its crossref names (BibTeX's rule;
    biblatex's too for the parent's title, which becomes the child's booktitle)."""
    fields = {f.key.lower(): str(f.value) for f in entry.fields}
    parent_key = fields.pop("crossref", "").strip()
    if not parent_key:
        return fields
    parent = parents.get(parent_key) or parents.get(parent_key.lower())
    if parent is None:
        notes.append(f"its crossref “{parent_key[:80]}” is not in the file")
        return fields
    inherited = {f.key.lower(): str(f.value) for f in parent.fields}
    if "title" in inherited and "booktitle" not in fields:
        fields["booktitle"] = inherited["title"]
    for key, value in inherited.items():
        if key not in fields and key not in ("title", "subtitle", "shorttitle", "crossref", "ids"):
            fields[key] = value
    return fields


def _bibtex_record(entry, fields: dict[str, str], where: str, budget: _LatexBudget, notes: list) -> dict:
    entry_type = entry.entry_type.lower()
    csl_type = BIBTEX_TYPES.get(entry_type)
    if csl_type is None:
        csl_type = "document"
        notes.append(f"its type @{entry_type[:40]} is not a BibTeX or biblatex type: read as a document")
    names, text, dropped = {}, {}, []
    for key, value in fields.items():
        if key not in BIBTEX_FIELDS:
            continue
        limit = _bibtex_limit(key)
        if len(value) > limit:
            if BIBTEX_FIELDS[key] == "other":
                dropped.append(key)
                continue
            raise _error(where, f"“{key}” is longer than {limit:,} characters.")
        if key in _BIBTEX_NAMES:
            names[_BIBTEX_NAMES[key]] = _bibtex_names(value, where, key, budget)
        elif BIBTEX_FIELDS[key] == "issued":
            # EDTF, not LaTeX: its ~ is "circa", not a no-break space.
            text[key] = " ".join(value.replace("{", "").replace("}", "").split())
        else:
            text[key] = " ".join(latex_to_text(value, where, key, budget).split())
    for key in dropped:
        notes.append(f"“{key}” is longer than {_bibtex_limit(key):,} characters and was left out")
    if csl_type == "article-journal":
        csl_type = _ARTICLE_SUBTYPES.get(text.get("entrysubtype", "").lower(), csl_type)
    title = text.get("title", "")
    if text.get("subtitle"):
        title = f"{title}: {text['subtitle']}" if title else text["subtitle"]
    url, publisher = text.get("url", ""), text.get("publisher", "")
    howpublished = text.get("howpublished", "")
    if re.match(r"^https?://\S+$", howpublished, re.IGNORECASE) and not url:
        url, howpublished = howpublished, ""
    doi = text.get("doi", "")
    if not doi and text.get("eprinttype", "").lower() == "doi":
        doi = text.get("eprint", "")
    other: dict[str, Any] = {_BIBTEX_OTHER[k]: v for k, v in text.items() if k in _BIBTEX_OTHER and v}
    for key, variable in _BIBTEX_DATES.items():
        if text.get(key):
            other[variable] = _bibtex_date(text[key], key, notes)
    issue = text.get("issue", "")
    if text.get("number"):
        if csl_type in ("article-journal", "article-magazine", "article-newspaper", "periodical") and not issue:
            issue = text["number"]
        elif csl_type in ("book", "chapter", "paper-conference") and "collection-title" in other:
            other["collection-number"] = text["number"]
        else:
            other["number"] = text["number"]
    contributors = {role: value for role, value in names.items() if role != "author" and value}
    return {
        "type": csl_type,
        "title": title,
        "authors": names.get("author", []),
        "contributors": contributors,
        "issued": _bibtex_issued(text, notes),
        "container_title": text.get("journaltitle") or text.get("journal") or text.get("booktitle", ""),
        "volume": text.get("volume", ""),
        "issue": issue,
        "pages": text.get("pages", "").replace("--", "–"),
        "publisher": publisher
        or text.get("institution")
        or text.get("school")
        or text.get("organization")
        or howpublished,
        "publisher_place": text.get("location") or text.get("address", ""),
        "url": url,
        "doi": doi,
        "archive": text.get("archive", ""),
        "archive_location": text.get("archive_location", ""),
        "other_fields": other,
    }


def _failed_block_entry(block) -> Entry:
    raw = (getattr(block, "raw", None) or "").strip()
    first_line = raw.splitlines()[0][:80] if raw else ""
    line = (block.start_line or 0) + 1
    if isinstance(block, bibtex_model.DuplicateBlockKeyBlock):
        first = block.previous_block
        label = f"BibTeX entry “{block.key}” (line {line})"
        return Entry(
            label,
            notes=[
                f"its key is the key of the entry at line {(first.start_line or 0) + 1}, which is taken in its place"
            ],
        )
    if isinstance(block, bibtex_model.DuplicateFieldKeyBlock):
        fields = ", ".join(f"“{key}”" for key in sorted(block.duplicate_keys))
        label = f"BibTeX entry “{getattr(block.ignore_error_block, 'key', '')}” (line {line})"
        return Entry(label, problem=f"it gives {fields} twice.")
    error = getattr(block, "error", None)
    why = (
        getattr(error, "abort_reason", None)
        or getattr(error, "message", None)
        or str(error or "").strip()
        or "it is not valid BibTeX"
    ).split(" Note:")[0]
    return Entry(f"The BibTeX entry at line {line} (“{first_line}”)", problem=f"it cannot be read: {why.rstrip('.')}.")


def read_bibtex(data: str) -> list[Entry]:
    """The entries of a BibTeX or biblatex file (bibtexparser 2: @string macros resolved), in the file's order, each
    read or refused on its own; an entry whose key was used before is left out, with a note, and the first taken.
    BibliographyError for a file with no entries or more than MAX_ENTRIES.

    bibtexparser splits the file; the fields read are then decoded here rather than by its middlewares, which
    decode every field of every entry (abstracts, file paths...) before any length can be checked."""
    blocks = 0
    for _ in _BLOCK_START.finditer(data):
        blocks += 1
        if blocks > MAX_ENTRIES:
            raise _too_many(f"more than {MAX_ENTRIES:,}")
    library = bibtexparser.parse_string(data)
    if not library.entries and not library.failed_blocks:
        raise BibliographyError("The file holds no BibTeX entries.")
    parents = {entry.key: entry for entry in library.entries}
    parents.update({key.lower(): entry for key, entry in list(parents.items()) if key.lower() not in parents})
    budget = _LatexBudget()
    located = [(block.start_line, _failed_block_entry(block)) for block in library.failed_blocks]
    for bib_entry in library.entries:
        entry = Entry(f"BibTeX entry “{bib_entry.key}” (line {(bib_entry.start_line or 0) + 1})")
        try:
            fields = _merge_crossref(bib_entry, parents, entry.notes)
            record = _bibtex_record(bib_entry, fields, entry.label, budget, entry.notes)
            if bib_entry.key:
                record["other_fields"].setdefault("citation-key", bib_entry.key[:OTHER_FIELD_LIMIT])
            entry.record = clean_record(record, entry.label, entry.notes)
        except FileTooCostly:
            raise
        except BibliographyError as exc:
            entry.problem = str(exc).removeprefix(entry.label).lstrip(": ")
        located.append((bib_entry.start_line, entry))
    return [entry for _, entry in sorted(located, key=lambda pair: pair[0] or 0)]


def parse_bibtex(data: str) -> list[dict]:
    """Records from a BibTeX file, all or none: BibliographyError naming the first entry that cannot be taken."""
    return records_of(read_bibtex(data))


def read_file(name: str, data: str) -> list[Entry]:
    """The entries of a bibliography file, by its name: CSL-JSON (.json) or BibTeX (.bib, .bibtex)."""
    return read_csl_json(data) if name.lower().endswith(".json") else read_bibtex(data)
