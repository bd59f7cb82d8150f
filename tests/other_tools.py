"""W3C annotations as other tools write them, for the tests (issue 25, item 7): small, written here, no downloads.

- Hypothesis: the shape of h's JSON-LD presenter (h/presenters/annotation_jsonld.py): the creator an "acct:" IRI, the
  comment a TextualBody with no purpose (Markdown), free tags as tagging bodies, one target naming the page by its URL
  with a RangeSelector, a TextPositionSelector (counted in the page's DOM, so not always ours) and a TextQuoteSelector.
- RecogitoJS (the text annotator): ids inside the file ("#..."), no source (the page it ran on), bodies with their
  creator, a TextQuoteSelector and a TextPositionSelector; relations as "linking" annotations whose targets are the ids
  of two annotations of the file, their name a tagging body.
- The W3C's own examples (the Web Annotation Data Model, examples 6, 23, 24, 29 and 38): a bodyValue, a body given by
  its address, a TextPositionSelector alone, a TextQuoteSelector inside a FragmentSelector's refinedBy, a Choice body.
"""

TEXT = (
    "Getty argues that the centre restrained local zeal in 1937. "
    "Khlevniuk reads the same orders as a plan made in Moscow. "
    "The numbers of the NKVD show mass terror on a scale no one planned."
)
PAGE = "https://example.org/purge-numbers/"  # the page the document was made from (its origin)


def _at(exact: str) -> tuple[int, int]:
    start = TEXT.index(exact)
    return start, start + len(exact)


def hypothesis(exact: str, *, tags=(), comment="", shift=0, page="https://example.org/purge-numbers", user="historian"):
    start, end = _at(exact)
    body = [{"type": "TextualBody", "value": comment, "format": "text/markdown"}] if comment else []
    body += [{"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in tags]
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "id": f"https://hypothes.is/a/{start}x{end}",
        "created": "2024-03-01T10:15:00.123456+00:00",
        "modified": "2024-03-01T10:16:00.000000+00:00",
        "creator": f"acct:{user}@hypothes.is",
        "body": body,
        "target": [
            {
                "source": page,
                "selector": [
                    {
                        "type": "RangeSelector",
                        "startSelector": {"type": "XPathSelector", "value": "/main[1]/p[1]"},
                        "endSelector": {"type": "XPathSelector", "value": "/main[1]/p[1]"},
                        "startOffset": start,
                        "endOffset": end,
                    },
                    {"type": "TextPositionSelector", "start": start + shift, "end": end + shift},
                    {
                        "type": "TextQuoteSelector",
                        "exact": exact,
                        "prefix": TEXT[max(0, start - 32) : start],
                        "suffix": TEXT[end : end + 32],
                    },
                ],
            }
        ],
    }


def recogito(uid: str, exact: str, *, tags=(), comment="", creator="Rainer"):
    start, end = _at(exact)
    person = {"type": "Person", "id": f"https://recogito.example/users/{creator}", "name": creator}
    body = [{"type": "TextualBody", "value": comment, "purpose": "commenting", "creator": person}] if comment else []
    body += [{"type": "TextualBody", "value": tag, "purpose": "tagging", "creator": person} for tag in tags]
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "id": f"#{uid}",
        "body": body,
        "target": {
            "selector": [
                {"type": "TextQuoteSelector", "exact": exact},
                {"type": "TextPositionSelector", "start": start, "end": end},
            ]
        },
    }


def recogito_relation(uid: str, start_id: str, end_id: str, name: str):
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": f"#{uid}",
        "type": "Annotation",
        "body": [{"type": "TextualBody", "value": name, "purpose": "tagging"}],
        "motivation": "linking",
        "target": [{"id": f"#{start_id}"}, {"id": f"#{end_id}"}],
    }


# The W3C's examples, on a page whose text is TEXT: their quotes and positions made to fit it.
W3C_PAGE = "http://example.org/page1"


def w3c_examples() -> list[dict]:
    start, end = _at("Khlevniuk reads the same orders")
    return [
        {  # example 23: a TextQuoteSelector, the body given by its address
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "id": "http://example.org/anno23",
            "type": "Annotation",
            "body": "http://example.org/comment1",
            "target": {
                "source": W3C_PAGE,
                "selector": {
                    "type": "TextQuoteSelector",
                    "exact": "restrained",
                    "prefix": "the centre ",
                    "suffix": " local zeal",
                },
            },
        },
        {  # example 24: a TextPositionSelector alone
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "id": "http://example.org/anno24",
            "type": "Annotation",
            "body": "http://example.org/review1",
            "target": {"source": W3C_PAGE, "selector": {"type": "TextPositionSelector", "start": start, "end": end}},
        },
        {  # example 29: the quote inside a FragmentSelector's refinedBy; a bodyValue (example 6)
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "id": "http://example.org/anno29",
            "type": "Annotation",
            "bodyValue": "Comment text",
            "target": {
                "source": W3C_PAGE,
                "selector": {
                    "type": "FragmentSelector",
                    "value": "para5",
                    "refinedBy": {
                        "type": "TextQuoteSelector",
                        "exact": "mass terror",
                        "prefix": "show ",
                        "suffix": " on a scale",
                    },
                },
            },
        },
        {  # example 38 (41 in the files): a Choice body, a creator with a nickname, a tag; a position in refinedBy
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "id": "http://example.org/anno38",
            "type": "Annotation",
            "motivation": "commenting",
            "created": "2015-10-13T13:00:00Z",
            "creator": {"id": "http://example.org/user1", "type": "Person", "name": "A. Person", "nickname": "user1"},
            "body": [
                {"type": "TextualBody", "purpose": "tagging", "value": "love"},
                {
                    "type": "Choice",
                    "items": [
                        {
                            "type": "TextualBody",
                            "purpose": "describing",
                            "value": "I really love this particular bit of text.",
                        }
                    ],
                },
            ],
            "target": {
                "source": W3C_PAGE,
                "selector": {
                    "type": "FragmentSelector",
                    "value": "xpointer(/doc/body/section[2]/para[1])",
                    "refinedBy": {"type": "TextPositionSelector", "start": 6, "end": 27},
                },
            },
        },
    ]
