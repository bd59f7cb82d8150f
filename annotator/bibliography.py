"""Pure functions on bibliographic records: CSL-JSON in and out, BibTeX in, names, DOIs. No database.

A record here is a plain dict of Source field values (type, title, authors, issued, container_title,
volume, issue, pages, publisher, url, doi, archive, archive_location). Parsers raise BibliographyError
naming the entry at fault, and parse a whole file before anything is saved.

The work of reading a file is bounded, not only its size: at most MAX_ENTRIES entries, counted before any entry
is read; a BibTeX field's length checked before its LaTeX is decoded, and the decoding of a whole file held to
LATEX_BUDGET (bench/import_bench.py measures both formats at the cap).
"""
from __future__ import annotations

import functools
import json
import re
from typing import Any

import bibtexparser
from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts, split_multiple_persons_names
from pylatexenc import latex2text

from . import text as textlib

# The CSL item types a Source may have (SourceType's values), and what other CSL types become.
SOURCE_TYPES = (
    "book", "article-journal", "chapter", "manuscript", "speech", "webpage", "post",
    "article-newspaper", "report", "interview",
)
CSL_TYPE_ALIASES = {
    "article": "article-journal",
    "article-magazine": "article-newspaper",
    "paper-conference": "chapter",
    "entry-encyclopedia": "chapter",
    "entry-dictionary": "chapter",
    "thesis": "report",
    "document": "manuscript",
    "personal_communication": "manuscript",
    "post-weblog": "post",
    "broadcast": "speech",
}
# BibTeX entry types -> CSL types.
BIBTEX_TYPES = {
    "article": "article-journal",
    "book": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "chapter",
    "conference": "chapter",
    "booklet": "book",
    "manual": "book",
    "phdthesis": "report",
    "mastersthesis": "report",
    "techreport": "report",
    "unpublished": "manuscript",
    "online": "webpage",
    "misc": "manuscript",
}

# Simple text fields: Source field name -> CSL-JSON key.
CSL_FIELDS = {
    "title": "title",
    "container_title": "container-title",
    "volume": "volume",
    "issue": "issue",
    "pages": "page",
    "publisher": "publisher",
    "url": "URL",
    "doi": "DOI",
    "archive": "archive",
    "archive_location": "archive_location",
}
FIELD_LIMITS = {
    "title": 500, "container_title": 500, "volume": 40, "issue": 40, "pages": 40, "publisher": 300,
    "url": 1000, "doi": 200, "archive": 300, "archive_location": 300, "issued": 40,
}

# The most entries one file may hold. Reading and saving 5,000 takes 2 to 3 s of a worker's CPU (bench/README.md,
# "Importing sources"); the cap keeps a 5 MB file of tiny entries from holding a worker until it is killed.
MAX_ENTRIES = 5_000

_ISSUED = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


class BibliographyError(ValueError):
    """A file or record that cannot be taken; the message names the entry and is for the user."""


def _error(where: str, message: str) -> BibliographyError:
    return BibliographyError(f"{where}: {message}" if where else message[0].upper() + message[1:])


# Names -------------------------------------------------------------------------------------------


def parse_names(text: str) -> list[dict]:
    """CSL names from text, one per line (or separated by ';'): 'Family, Given' or a single literal name."""
    names = []
    for part in re.split(r"[\n;]", text):
        part = " ".join(part.split())
        if not part:
            continue
        if "," in part:
            family, given = (p.strip() for p in part.split(",", 1))
            names.append({"family": family, "given": given} if given else {"family": family})
        else:
            names.append({"literal": part})
    return names


def name_text(name: dict) -> str:
    """One CSL name as 'Family, Given' (or its literal form). Anything else stored (text, a number) as itself."""
    if not isinstance(name, dict):
        return str(name)
    if name.get("literal"):
        return str(name["literal"])
    family = " ".join(str(name.get(k, "")) for k in ("non-dropping-particle", "family") if name.get(k))
    given = str(name.get("given", ""))
    return f"{family}, {given}" if family and given else family or given


def names_text(names: list[dict], separator: str = "; ") -> str:
    return separator.join(n for n in (name_text(x) for x in _as_names(names)) if n)


def _as_names(names: Any) -> list:
    """A stored name list as a list, whatever was stored: the admin edits it as JSON."""
    if isinstance(names, list):
        return names
    return [names] if names else []


def check_names(value: Any, where: str) -> list[dict]:
    """A CSL name list, or BibliographyError."""
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(n, dict) for n in value):
        raise _error(where, "“author” must be a list of names like {\"family\": ..., \"given\": ...}.")
    names = []
    for n in value:
        kept = {k: str(n[k]).strip() for k in ("family", "given", "literal", "non-dropping-particle") if n.get(k)}
        if not kept:
            raise _error(where, "an author has neither a family name nor a literal name.")
        names.append(kept)
    return names


# Fields --------------------------------------------------------------------------------------------


def normalise_doi(doi: str) -> str:
    """A DOI without its resolver prefix, lower-cased (DOIs are case-insensitive), or ''."""
    return _DOI_PREFIX.sub("", (doi or "").strip()).strip().lower()


def check_issued(issued: str, where: str = "") -> str:
    issued = (issued or "").strip()
    if issued and not _ISSUED.match(issued):
        raise _error(where, f"the date issued “{issued}” is not YYYY, YYYY-MM or YYYY-MM-DD.")
    return issued


def year_of(issued: str) -> str:
    return (issued or "")[:4]


def clean_record(record: dict, where: str) -> dict:
    """Check and tidy a record's values: a title, a known type, a valid date and DOI, lengths within limits."""
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
    if out.get("type") not in SOURCE_TYPES:
        raise _error(where, f"the type “{out.get('type')}” is not one of {', '.join(SOURCE_TYPES)}.")
    out["issued"] = check_issued(out["issued"], where)
    if out["url"] and not re.match(r"^https?://[^\s/]+", out["url"], re.IGNORECASE):
        raise _error(where, f"the URL “{out['url'][:80]}” does not start with http:// or https://.")
    out["doi"] = normalise_doi(out["doi"])
    out["authors"] = check_names(out.get("authors") or [], where)
    return out


def entry_label(item: Any, index: int) -> str:
    """How an error names an entry: its number, id and title when it has them."""
    label = f"Entry {index + 1}"
    if isinstance(item, dict):
        # Only text that can be shown: a lone surrogate in the message would break the page that shows it.
        named = {key: value for key, value in item.items() if isinstance(value, (str, int)) and not textlib.unstorable(value)}
        if named.get("id") not in (None, ""):
            label += f" (id “{named['id']}”)"
        elif isinstance(title := named.get("title"), str) and title.strip():
            label += f" (“{title.strip()[:60]}”)"
    return label


# CSL-JSON ------------------------------------------------------------------------------------------


def _csl_issued(value: Any, where: str) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        return check_issued(value, where)
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            try:
                numbers = [int(p) for p in parts[0][:3]]
            except (TypeError, ValueError):
                raise _error(where, "“issued” has date parts that are not numbers.") from None
            widths = (4, 2, 2)
            return "-".join(str(n).zfill(w) for n, w in zip(numbers, widths))
        for key in ("raw", "literal"):
            if isinstance(value.get(key), str):
                match = re.search(r"\b(\d{4})\b", value[key])
                return match.group(1) if match else ""
    raise _error(where, "“issued” is not a CSL date ({\"date-parts\": [[2002, 1]]}).")


def record_from_csl(item: Any, index: int) -> dict:
    """One CSL-JSON item as a record, or BibliographyError naming it."""
    where = entry_label(item, index)
    if not isinstance(item, dict):
        raise BibliographyError(f"{where} is not a JSON object.")
    csl_type = item.get("type", "")
    if not isinstance(csl_type, str):
        raise _error(where, "“type” must be text.")
    record: dict[str, Any] = {"type": CSL_TYPE_ALIASES.get(csl_type, csl_type)}
    for field, key in CSL_FIELDS.items():
        value = item.get(key, "")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise _error(where, f"“{key}” must be text.")
        record[field] = value
    record["authors"] = check_names(item.get("author"), where)
    record["issued"] = _csl_issued(item.get("issued"), where)
    return clean_record(record, where)


def _too_many(count: str) -> BibliographyError:
    return BibliographyError(
        f"The file holds {count} entries; one import takes at most {MAX_ENTRIES:,}. Split it into smaller files."
    )


def parse_csl_json(data: str) -> list[dict]:
    """Records from a CSL-JSON file (a list of items, or one item). Raises BibliographyError on any bad entry."""
    try:
        items = json.loads(data)
    except json.JSONDecodeError as exc:
        raise BibliographyError(f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None
    except RecursionError:
        # json's parser recurses once per nested list or object; CSL-JSON nests five deep.
        raise BibliographyError("The file is not CSL-JSON: its lists and objects are nested too deeply to read.") from None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise BibliographyError("A CSL-JSON file holds a list of items.")
    if not items:
        raise BibliographyError("The file holds no entries.")
    if len(items) > MAX_ENTRIES:
        raise _too_many(f"{len(items):,}")
    return [record_from_csl(item, i) for i, item in enumerate(items)]


def to_csl(record: dict, item_id: str) -> dict:
    """A record (or a Source's field values) as a CSL-JSON item. Whatever a stored source holds, this writes an
    item: a date issued that is not one (from before dates were checked) is CSL's raw date, a name that is not a
    CSL name a literal one; so one bad row never takes down an export."""
    item: dict = {"id": item_id, "type": record["type"], "title": record["title"]}
    if record.get("authors"):
        item["author"] = [n if isinstance(n, dict) else {"literal": str(n)} for n in _as_names(record["authors"])]
    if record.get("issued"):
        issued = str(record["issued"])
        item["issued"] = {"date-parts": [[int(p) for p in issued.split("-")]]} if _ISSUED.match(issued) else {"raw": issued}
    for field, key in CSL_FIELDS.items():
        if field != "title" and record.get(field):
            item[key] = record[field]
    return item


# BibTeX ------------------------------------------------------------------------------------------


# The BibTeX fields read, and the Source field whose limit each is held to (author and editor have their own).
BIBTEX_FIELDS = {
    "title": "title", "journal": "container_title", "journaltitle": "container_title",
    "booktitle": "container_title", "volume": "volume", "number": "issue", "issue": "issue", "pages": "pages",
    "publisher": "publisher", "institution": "publisher", "school": "publisher", "url": "url", "doi": "doi",
    "year": "issued", "date": "issued", "month": "issued", "author": None, "editor": None,
}
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
            raise _error(
                where,
                f"the file holds more LaTeX than one import decodes ({LATEX_BUDGET:,} characters of fields with "
                "LaTeX commands). Split it into smaller files.",
            )


@functools.lru_cache(maxsize=1024)
def _common_command(command: str) -> str:
    return _DECODER.latex_to_text(command)


def _plain(text: str) -> str:
    """Text without commands as pylatexenc reads it: specials turned, braces (which then only group) dropped."""
    return _LATEX_SPECIAL.sub(lambda m: _LATEX_SPECIALS[m.group()], text).replace("{", "").replace("}", "")


def latex_to_text(value: str, where: str, key: str, budget: _LatexBudget) -> str:
    """A BibTeX value as plain text, as pylatexenc decodes it. Text whose only commands are common ones is turned
    here, a hundred times faster (tests/test_bibliography.py holds the two to the same result); the rest goes to
    pylatexenc, against the file's budget."""
    pieces = _LATEX_COMMON.split(value)  # text, command, text, command, ..., text
    if not any(_LATEX_MACRO.search(text) for text in pieces[::2]):
        return "".join(_common_command(piece) if i % 2 else _plain(piece) for i, piece in enumerate(pieces))
    budget.spend(value, where)
    try:
        return _DECODER.latex_to_text(value)
    except Exception:  # pylatexenc's parse errors have no common base class
        raise _error(where, f"the LaTeX of “{key}” cannot be read.") from None


def _bibtex_names(value: str, where: str) -> list[dict]:
    """CSL names from a decoded BibTeX name list ("Getty, J. Arch and van der Berg, Jan")."""
    names = []
    for part in split_multiple_persons_names(value):
        try:
            parts = parse_single_name_into_parts(part)
        except InvalidNameError as exc:
            raise _error(where, f"the name “{part[:80]}” cannot be read: {exc}.") from None
        family = " ".join(parts.last)
        given = " ".join(parts.first + parts.jr)
        name = {}
        if parts.von:
            name["non-dropping-particle"] = " ".join(parts.von)
        if family:
            name["family"] = family
        if given:
            name["given"] = given
        names.append(name or {"literal": part})
    return names


def _bibtex_fields(entry, where: str, budget: _LatexBudget) -> dict[str, str]:
    """The fields of an entry that a record reads, lengths checked before their LaTeX is decoded."""
    fields = {}
    for field in entry.fields:
        key = field.key.lower()
        if key not in BIBTEX_FIELDS:
            continue
        value = str(field.value)
        target = BIBTEX_FIELDS[key]
        limit = NAMES_LIMIT if target is None else LATEX_SLACK * FIELD_LIMITS[target]
        if len(value) > limit:
            raise _error(where, f"“{key}” is longer than {limit:,} characters.")
        fields[key] = latex_to_text(value, where, key, budget)
    return fields


_MONTHS = {name: i for i, name in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


def _bibtex_issued(fields: dict, where: str) -> str:
    year = str(fields.get("year", "")).strip()
    date = str(fields.get("date", "")).strip()
    if date:
        return check_issued(date, where)
    if not year:
        return ""
    if not re.fullmatch(r"\d{4}", year):
        raise _error(where, f"the year “{year}” is not a four-digit year.")
    month = str(fields.get("month", "")).strip().lower()
    number = int(month) if month.isdecimal() else _MONTHS.get(month[:3]) if len(month) >= 3 else None
    return f"{year}-{number:02d}" if number and 1 <= number <= 12 else year


def parse_bibtex(data: str) -> list[dict]:
    """Records from a BibTeX file (bibtexparser 2). Raises BibliographyError naming the first bad entry.

    bibtexparser splits the file; the fields read are then decoded here rather than by its middlewares, which
    decode every field of every entry (abstracts, file paths...) before any length can be checked."""
    blocks = 0
    for _ in _BLOCK_START.finditer(data):
        blocks += 1
        if blocks > MAX_ENTRIES:
            raise _too_many(f"more than {MAX_ENTRIES:,}")
    library = bibtexparser.parse_string(data)
    if library.failed_blocks:
        block = library.failed_blocks[0]
        assert block.start_line is not None  # bibtexparser numbers every block it splits from a string
        raw = (block.raw or "").strip()
        first_line = raw.splitlines()[0][:80] if raw else ""
        error = getattr(block, "error", None)
        why = (
            getattr(error, "abort_reason", None)
            or getattr(error, "message", None)
            or str(error or "").strip()
            or "it is not valid BibTeX"
        ).split(" Note:")[0]
        raise BibliographyError(
            f"The BibTeX entry at line {block.start_line + 1} (“{first_line}”) cannot be read: {why.rstrip('.')}."
        )
    if not library.entries:
        raise BibliographyError("The file holds no BibTeX entries.")
    budget = _LatexBudget()
    records = []
    for entry in library.entries:
        assert entry.start_line is not None  # as above
        where = f"BibTeX entry “{entry.key}” (line {entry.start_line + 1})"
        fields = _bibtex_fields(entry, where, budget)
        text = {k: " ".join(v.split()) for k, v in fields.items() if k not in ("author", "editor")}
        record = {
            "type": BIBTEX_TYPES.get(entry.entry_type.lower(), "manuscript"),
            "title": text.get("title", ""),
            "authors": _bibtex_names(fields.get("author") or fields.get("editor") or "", where),
            "issued": _bibtex_issued(text, where),
            "container_title": text.get("journal") or text.get("journaltitle") or text.get("booktitle", ""),
            "volume": text.get("volume", ""),
            "issue": text.get("number") or text.get("issue", ""),
            "pages": text.get("pages", "").replace("--", "–"),
            "publisher": text.get("publisher") or text.get("institution") or text.get("school", ""),
            "url": text.get("url", ""),
            "doi": text.get("doi", ""),
            "archive": "",
            "archive_location": "",
        }
        records.append(clean_record(record, where))
    return records
