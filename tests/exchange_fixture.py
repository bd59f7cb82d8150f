"""A fixed set of marks and links, as plain values, whose exports are kept in tests/data/exchange/.

The files there were written by the writers the app had before the exchange package (commit f862c8f); the
writers of today must write them byte for byte (tests/test_exchange_write.py). Plain values only, so that any
writer can be fed from them: every field of a mark, in the order of the CSV's columns, then its version.
"""
from datetime import datetime, timedelta, timezone

UTC = timezone.utc
TOKYO = timezone(timedelta(hours=9))
NEW_YORK = timezone(timedelta(hours=-5))

GETTY = dict(
    id=7, type="book", title="Origins of the Great Purges", authors=[{"family": "Getty", "given": "J. Arch"}],
    issued="1985", publisher="Cambridge University Press", doi="10.1017/CBO9780511572616",
)
# The same id as GETTY, another record: a writer that remembers sources must not take one for the other.
IMPOSTOR = dict(id=7, title="Another title under the same id", url="https://example.org/a?b=c")
SPEECH = dict(id=9, type="speech", title="Collected Works, Vol. 14", authors=[{"family": "Stalin", "given": "J. V."}],
              issued="1937-03-05")
PROTOCOL = dict(id=11, type="manuscript", title="Politburo protocol", archive="RGASPI",
                archive_location="f. 17, op. 3, d. 922", issued="circa 1937")
WILEY = dict(id=12, type="article-journal", title="=A title a spreadsheet would run",
             authors=[{"literal": "NKVD"}, {"family": "Ezhov"}], container_title="JASIS", volume="49", issue="8",
             pages="693-705", doi="10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0")
BARE = dict(id=13, title="Untitled memo")

# (source, locator, note) per citation.
MARKS = [
    dict(annotation_id=1, project="Purge project", document_id=3, document_title="Did Stalin Want “Mass\u00a0Terror?”",
         start=0, end=11, exact="mass terror", prefix="", suffix="”? 😀 The", label="claim", note="", annotator="ann",
         status="pending", reviewer="", reviewed_at=None, review_note="", citations=[],
         created_at=datetime(2024, 3, 1, 10, 15, 0, 123456, tzinfo=UTC),
         updated_at=datetime(2024, 3, 1, 10, 15, 0, tzinfo=UTC), version=1),
    dict(annotation_id=2, project="Purge project", document_id=3, document_title="Did Stalin Want “Mass\u00a0Terror?”",
         start=10, end=20, exact="line one\nline two", prefix="Did Stalin want “", suffix=", then",
         label="quotation", note='He said "no", then left.\nNext line,\r\nand a CRLF', annotator="ann2",
         status="accepted", reviewer="rev", reviewed_at=datetime(2024, 3, 2, 9, 0, tzinfo=TOKYO), review_note="=fine",
         citations=[(GETTY, "pp. 113-138", "central"), (SPEECH, "", "")],
         created_at=datetime(2024, 3, 1, 5, 15, 0, tzinfo=NEW_YORK),
         updated_at=datetime(2024, 3, 2, 10, 0, 0, tzinfo=UTC), version=1),
    dict(annotation_id=3, project="=Purge", document_id=4, document_title="@A title",
         start=5, end=15, exact="-5 degrees", prefix="\u00a0", suffix="\u0301", label="evidence",
         note='=HYPERLINK("http://evil")', annotator="@bob", status="rejected", reviewer="+rev",
         reviewed_at=datetime(2024, 3, 3, 0, 0, tzinfo=UTC), review_note="@admin -1",
         citations=[(GETTY, "", "=a note"), (IMPOSTOR, "-5", ""), (WILEY, "p. 693", "")],
         created_at=datetime(2024, 3, 3, 0, 0, tzinfo=UTC), updated_at=datetime(2024, 3, 3, 0, 0, tzinfo=UTC),
         version=3),
    dict(annotation_id=4, project="Purge project", document_id=3, document_title="Did Stalin Want “Mass\u00a0Terror?”",
         start=21, end=52, exact="😀 “quoted”, commas, 'apostrophes'", prefix="\tx", suffix="\rx",
         label="claim", note="'quoted already", annotator="Ёжов", status="pending", reviewer="", reviewed_at=None,
         review_note="", citations=[(PROTOCOL, "f. 17, op. 3, d. 922, ll. 50-55", ""), (BARE, "", "")],
         created_at=None, updated_at=None, version=2),
    dict(annotation_id=5, project="Purge project", document_id=3, document_title="Did Stalin Want “Mass\u00a0Terror?”",
         start=60, end=61, exact="\t", prefix="a", suffix="b", label="claim", note="\tx", annotator="ann",
         status="pending", reviewer="", reviewed_at=None, review_note="", citations=[(SPEECH, "p. 5", "")],
         created_at=datetime(2024, 3, 4, 0, 0, tzinfo=UTC), updated_at=datetime(2024, 3, 4, 0, 0, tzinfo=UTC),
         version=1),
]

# Links as the links query gives them: link_id, type key, from, to, note, author, status, created_at, to_source_id,
# speaker, then the DOI and URL of the source it points at.
LINKS = [
    (21, "supports", 2, 1, "=1+1", "ann", "accepted", datetime(2024, 3, 5, 20, 5, 1, tzinfo=TOKYO), None, "", None, None),
    (22, "attributed-to", 3, None, "", "ann2", "pending", datetime(2024, 3, 5, 0, 0, tzinfo=UTC), 12, "", WILEY["doi"], ""),
    (23, "attributed-to", 3, None, "", "ann2", "pending", datetime(2024, 3, 5, 0, 0, tzinfo=UTC), 7, "", "",
     IMPOSTOR["url"]),
    (24, "attributed-to", 3, None, "'tis so", "ann2", "rejected", datetime(2024, 3, 5, 0, 0, tzinfo=UTC), 13, "", "", ""),
    (25, "attributed-to", 4, None, "line\nbreak", "@bob", "pending", datetime(2024, 3, 5, 0, 0, tzinfo=UTC), None,
     "@Stalin", None, None),
]

BASE = "https://annotator.example.org"
COLLECTION_ID = f"{BASE}/export/annotations.jsonld?project=Purge+project"
LABEL = "Marks exported by the editorial annotator"
