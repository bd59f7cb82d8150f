"""ClaimReview as Google's Fact Check markup documents it (developers.google.com/search/docs/appearance/structured-data/
factcheck): its required properties (claimReviewed, reviewRating with alternateName, url) and the recommended ones
(author, datePublished, itemReviewed as a Claim with author, datePublished, appearance, firstAppearance), as a JSON
Schema every export of ours is validated against; and a local excerpt of schema.org's JSON-LD context (the terms
ClaimReview uses, as https://schema.org/docs/jsonldcontext.jsonld defines them) with a pyld loader serving it."""

from pyld import jsonld

WORK = {
    "type": "object",
    "required": ["@type", "url"],
    "properties": {"@type": {"const": "CreativeWork"}, "url": {"type": "string", "format": "uri"}},
}
PARTY = {
    "type": "object",
    "required": ["@type", "name"],
    "properties": {"@type": {"enum": ["Person", "Organization"]}, "name": {"type": "string", "minLength": 1}},
}

CLAIM_REVIEW = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    # Required by Google, then recommended (we always write them).
    "required": ["@type", "claimReviewed", "reviewRating", "url", "author", "datePublished", "itemReviewed"],
    "properties": {
        "@context": {"const": "https://schema.org"},
        "@type": {"const": "ClaimReview"},
        "url": {"type": "string", "format": "uri", "pattern": "^https?://"},
        # "A short summary of the claim being evaluated. Try to keep this less than 75 characters."
        "claimReviewed": {"type": "string", "minLength": 1, "maxLength": 74},
        "datePublished": {"type": "string", "format": "date"},
        "author": {
            "type": "object",
            "required": ["@type", "name"],
            "properties": {
                "@type": {"const": "Organization"},
                "name": {"type": "string", "minLength": 1},
                "url": {"type": "string", "format": "uri"},
            },
        },
        "reviewRating": {
            "type": "object",
            "required": ["@type", "alternateName", "bestRating", "worstRating"],
            "properties": {
                "@type": {"const": "Rating"},
                "alternateName": {"type": "string", "minLength": 1},
                "ratingValue": {"type": "integer"},
                "bestRating": {"type": "integer"},
                "worstRating": {"type": "integer"},
                "ratingExplanation": {"type": "string"},
            },
            "additionalProperties": False,
        },
        "itemReviewed": {
            "type": "object",
            "required": ["@type"],
            "properties": {
                "@type": {"const": "Claim"},
                "author": PARTY,
                "datePublished": {"type": "string", "format": "date"},
                "firstAppearance": WORK,
                "appearance": {"type": "array", "items": WORK, "minItems": 1},
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}

PROJECT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["@context", "@graph"],
    "properties": {"@context": {"const": "https://schema.org"}, "@graph": {"type": "array", "items": CLAIM_REVIEW}},
    "additionalProperties": False,
}

SCHEMA_ORG = "https://schema.org"
SCHEMA_ORG_CONTEXT = {
    "@context": {
        "@vocab": "http://schema.org/",
        "schema": "http://schema.org/",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "url": {"@id": "schema:url", "@type": "@id"},
        "datePublished": {"@id": "schema:datePublished", "@type": "schema:Date"},
        "claimReviewed": {"@id": "schema:claimReviewed"},
        "reviewRating": {"@id": "schema:reviewRating"},
        "itemReviewed": {"@id": "schema:itemReviewed"},
        "author": {"@id": "schema:author"},
        "name": {"@id": "schema:name"},
        "alternateName": {"@id": "schema:alternateName"},
        "ratingValue": {"@id": "schema:ratingValue"},
        "bestRating": {"@id": "schema:bestRating"},
        "worstRating": {"@id": "schema:worstRating"},
        "ratingExplanation": {"@id": "schema:ratingExplanation"},
        "appearance": {"@id": "schema:appearance"},
        "firstAppearance": {"@id": "schema:firstAppearance"},
    }
}


def load_document(url, options=None):
    """pyld's document loader with schema.org's context as the only document there is."""
    if url.rstrip("/") in (SCHEMA_ORG, "http://schema.org"):
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": SCHEMA_ORG_CONTEXT,
            "contentType": "application/ld+json",
        }
    raise jsonld.JsonLdError(f"No local copy of {url}: the tests download nothing.", "jsonld.LoadDocumentError")


def expand(document) -> list:
    return jsonld.expand(document, {"documentLoader": load_document})
