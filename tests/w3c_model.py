"""A checker for the W3C Web Annotation Data Model's MUSTs, built from the W3C's own test suite.

tests/data/w3c-annotation-model/ holds the JSON Schemas of web-platform-tests' annotation-model
tests (see its SOURCE.md). The wpt harness validated an annotation against each assertion named
in a `.test` file (ajv, draft-04). The annotation-level assertions are there as files and are used
as they are. The body, target and specific-resource assertions were not kept; each is stood in for
here by the wpt definition it names, applied to every body, target, item and selector it concerns.
A few MUSTs of the specification's text that a schema cannot state are checked by hand (marked
"spec text" below). An AnnotationCollection is checked page by page and item by item; items
inherit the collection's @context, as JSON-LD embedding does.
"""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

DATA = Path(__file__).parent / "data" / "w3c-annotation-model"
CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def _registry() -> Registry:
    resources = []
    for path in sorted((DATA / "definitions").glob("*.json")):
        schema = json.loads(path.read_text())
        resources.append((schema["id"], Resource.from_contents(schema, default_specification=DRAFT4)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def _validator(schema: dict) -> Draft4Validator:
    return Draft4Validator(schema, registry=REGISTRY, format_checker=Draft4Validator.FORMAT_CHECKER)


def _ref(definition: str) -> dict:
    return {"$ref": definition}


def _not(definition: str) -> dict:
    return {"not": {"$ref": definition}}


def _annotation_assertions() -> list[tuple[str, Draft4Validator]]:
    test = json.loads((DATA / "annotations" / "annotationMusts.test").read_text())
    result = []
    for name in test["assertions"]:
        schema = json.loads((DATA / name).read_text())
        assert schema["assertionType"] == "must" and schema["expectedResult"] == "valid", name
        result.append((name, _validator(schema)))
    # Agents: when present, creator and generator must be an IRI or an Agent (checked by wpt's optional tests).
    result.append(
        ("creatorValidIfPresent", _validator(_ref("otherProperties.json#/definitions/creatorValidIfPresent")))
    )
    result.append(
        ("generatorValidIfPresent", _validator(_ref("otherProperties.json#/definitions/generatorValidIfPresent")))
    )
    return result


# Stand-ins for the body, target and specific-resource assertions of the wpt .test files: the name of
# the assertion, and the definition it checks on each body / target object.
_RESOURCE_MUSTS = {
    "TextDirectionValidated": _ref("bodyTarget.json#/definitions/textDirectionValidIfPresent"),
    "CreatedValidated": _ref("otherProperties.json#/definitions/createdValidIfPresent"),
    "ModifiedValidated": _ref("otherProperties.json#/definitions/modifiedValidIfPresent"),
    "RightsValidated": _ref("otherProperties.json#/definitions/rightsValidIfPresent"),
    "CanonicalValidated": _ref("otherProperties.json#/definitions/canonicalValidIfPresent"),
    "ViaValidated": _ref("otherProperties.json#/definitions/viaValidIfPresent"),
    # Value constraints of the Recommendation that wpt checked among its optional tests: when the
    # key is present its value must be well-formed.
    "FormatValidated": _ref("bodyTarget.json#/definitions/formatValidIfPresent"),
    "LanguageValidated": _ref("bodyTarget.json#/definitions/languageValidIfPresent"),
    "ProcessingLanguageValidated": _ref("bodyTarget.json#/definitions/processingLanguageValidIfPresent"),
    "CreatorValidated": _ref("otherProperties.json#/definitions/creatorValidIfPresent"),
    "EWRNoItems": _not("bodyTarget.json#/definitions/ewrWithItems"),
    "EWRNoPurpose": _not("bodyTarget.json#/definitions/ewrWithPurpose"),
    "ChoiceSetNoValue": _not("choiceSet.json#/definitions/choiceSetWithValue"),
    "ChoiceSetNoSource": _not("choiceSet.json#/definitions/choiceSetWithSource"),
    "ChoiceSetNoPurpose": _not("choiceSet.json#/definitions/choiceSetWithPurpose"),
    "SpecificResourceNoItems": _not("specificResource.json#/definitions/specificResourceWithItems"),
    "SpecificResourceNoValue": _not("specificResource.json#/definitions/specificResourceWithValue"),
}
_BODY_ONLY = {
    "EmbeddedTextualNoItems": _not("bodyTarget.json#/definitions/embeddedTextualBodyWithItems"),
    "EmbeddedTextualNoSource": _not("bodyTarget.json#/definitions/embeddedTextualBodyWithSource"),
}
_TARGET_ONLY = {
    "NoTypeTextualBody": _not("bodyTarget.json#/definitions/embeddedTextTypeIncludesTextualBody"),
}
_SPECIFIC_RESOURCE_MUSTS = {
    "4.2-selectorValidIfPresent": _ref("specificResource.json#/definitions/selectorDefined"),
    "4.3-stateValidIfPresent": _ref("specificResource.json#/definitions/stateDefined"),
    "4.4-styleClassValidIfPresent": _ref("specificResource.json#/definitions/styleClassDefinition"),
}
_SELECTOR_MUSTS = {
    "4.2-fragmentCssXPathSelectorValid": {
        "allOf": [
            _ref("specificResource.json#/definitions/fragmentSelectorTypeValidIfPresent"),
            _ref("specificResource.json#/definitions/cssSelectorTypeValidIfPresent"),
            _ref("specificResource.json#/definitions/xpathSelectorTypeValidIfPresent"),
        ]
    },
    "4.2.4-textQuoteSelectorValid": _ref("specificResource.json#/definitions/textQuoteSelectorTypeValidIfPresent"),
    "4.2-TextDataPositionSelectorValid": {
        "allOf": [
            _ref("specificResource.json#/definitions/textPositionSelectorTypeValidIfPresent"),
            _ref("specificResource.json#/definitions/dataPositionSelectorTypeValidIfPresent"),
        ]
    },
    "4.2.7-svgSelectorValid": _ref("specificResource.json#/definitions/svgSelectorTypeValidIfPresent"),
    "4.2.8-rangeSelectorValid": _ref("specificResource.json#/definitions/rangeSelectorTypeValidIfPresent"),
    "4.3.3-refinedByValidated": _ref("specificResource.json#/definitions/refinedByDefined"),
    "4.3.1-timeStateValid": _ref("specificResource.json#/definitions/timeStateTypeValidIfPresent"),
    "4.3.2-httpRequestStateValid": _ref("specificResource.json#/definitions/requestHeaderStateTypeValidIfPresent"),
}

ANNOTATION_MUSTS = _annotation_assertions()
BODY_MUSTS = {f"body{k}": _validator(v) for k, v in {**_RESOURCE_MUSTS, **_BODY_ONLY}.items()}
TARGET_MUSTS = {f"target{k}": _validator(v) for k, v in {**_RESOURCE_MUSTS, **_TARGET_ONLY}.items()}
SPECIFIC_RESOURCE_MUSTS = {k: _validator(v) for k, v in _SPECIFIC_RESOURCE_MUSTS.items()}
SELECTOR_MUSTS = {k: _validator(v) for k, v in _SELECTOR_MUSTS.items()}
_COLLECTION_TYPES = {"AnnotationCollection", "AnnotationPage"}


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _resources(value) -> list[dict]:
    """The body or target objects of an annotation, with the items of Choices and Sets."""
    found = []
    for resource in _as_list(value):
        if isinstance(resource, dict):
            found.append(resource)
            if isinstance(resource.get("items"), list):
                found.extend(item for item in resource["items"] if isinstance(item, dict))
    return found


def _selectors(resource: dict) -> list[dict]:
    """A specific resource's selectors and states, with what refines them, all the way down."""
    pending = [s for key in ("selector", "state") for s in _as_list(resource.get(key, [])) if isinstance(s, dict)]
    found = []
    while pending:
        selector = pending.pop()
        found.append(selector)
        pending.extend(s for s in _as_list(selector.get("refinedBy", [])) if isinstance(s, dict))
        for key in ("startSelector", "endSelector"):
            if isinstance(selector.get(key), dict):
                pending.append(selector[key])
    return found


def _messages(validator: Draft4Validator, instance, name: str, where: str) -> list[str]:
    if validator.is_valid(instance):
        return []
    return [f"{where}: fails {name}"]


def _spec_text_checks(selector: dict, where: str) -> list[str]:
    problems = []
    if selector.get("type") == "TextPositionSelector":
        start, end = selector.get("start"), selector.get("end")
        # Spec text, 4.2.5: start is the first character included, end the first one after the segment.
        if isinstance(start, int) and isinstance(end, int) and start > end:
            problems.append(f"{where}: TextPositionSelector start {start} is after end {end}")
    return problems


def annotation_problems(annotation, where: str = "annotation") -> list[str]:
    """Every MUST of the model that this annotation breaks (an empty list when it is valid)."""
    if not isinstance(annotation, dict):
        return [f"{where}: not a JSON object"]
    problems = []
    for name, validator in ANNOTATION_MUSTS:
        problems += _messages(validator, annotation, name, where)
    for index, body in enumerate(_resources(annotation.get("body", []))):
        for name, validator in BODY_MUSTS.items():
            problems += _messages(validator, body, name, f"{where} body {index}")
    targets = _resources(annotation.get("target", []))
    for index, target in enumerate(targets):
        for name, validator in TARGET_MUSTS.items():
            problems += _messages(validator, target, name, f"{where} target {index}")
    for index, resource in enumerate(_resources(annotation.get("body", [])) + targets):
        if "source" not in resource:
            continue
        for name, validator in SPECIFIC_RESOURCE_MUSTS.items():
            problems += _messages(validator, resource, name, f"{where} resource {index}")
        for s_index, selector in enumerate(_selectors(resource)):
            for name, validator in SELECTOR_MUSTS.items():
                problems += _messages(validator, selector, name, f"{where} resource {index} selector {s_index}")
            problems += _spec_text_checks(selector, f"{where} resource {index} selector {s_index}")
    return problems


def _page_problems(page, context, where: str) -> list[str]:
    if not isinstance(page, dict):
        return []  # a page given by its IRI only: nothing embedded to check
    problems = []
    if page.get("type") != "AnnotationPage":
        problems.append(f"{where}: type is not AnnotationPage")
    items = page.get("items")
    if not isinstance(items, list):
        return problems + [f"{where}: items is not a list"]
    for index, item in enumerate(items):
        if isinstance(item, dict) and "@context" not in item:
            item = {"@context": context, **item}
        problems += annotation_problems(item, f"{where} item {index}")
    if isinstance(page.get("next"), dict):
        problems += _page_problems(page["next"], context, f"{where} next")
    return problems


def problems(document) -> list[str]:
    """Every MUST broken by an Annotation, or by an AnnotationCollection / AnnotationPage and what it embeds."""
    if isinstance(document, dict) and set(_as_list(document.get("type"))) & _COLLECTION_TYPES:
        context = document.get("@context")
        found = []
        if not _validator(_ref("annotations.json#/definitions/contextValueFound")).is_valid(context) and not (
            _validator(_ref("annotations.json#/definitions/contextValueInArrayFound")).is_valid(context)
        ):
            found.append(f"collection: @context does not name {CONTEXT}")
        if not _validator(_ref("id.json#/definitions/idValueFound")).is_valid(document):
            found.append("collection: id is missing or not a URI")
        if document.get("type") == "AnnotationPage":
            return found + _page_problems(document, context, "page")
        if "total" in document and not (isinstance(document["total"], int) and document["total"] >= 0):
            found.append("collection: total is not a non-negative integer")
        return found + _page_problems(document.get("first"), context, "first page")
    return annotation_problems(document)
