"""The versioned JSON Schema of checklist files (format `inspector-checklist/1`); also shipped as a .json file."""

from __future__ import annotations

from typing import Any

FORMAT = "inspector-checklist/1"
RESPONSE_TYPES = ("pass_fail", "number", "text")
PROVENANCE_STATUSES = ("official", "seed", "reconstructed")
SEVERITIES = ("general", "major")
SUBJECT_KINDS = ("street_front_unit", "back_street", "site")
SCORING_METHODS = ("deduction", "pass_fail")
FINDING_RULES = ("required", "optional", "none")
CASE_KINDS = ("problem", "hazard")  # the kind of case a failed item creates (inspector.core.ledger.Kind)
PHOTO_RULES = ("required", "optional")

ITEM_ID_PATTERN = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$"
SECTION_ID_PATTERN = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
CHECKLIST_ID_PATTERN = SECTION_ID_PATTERN
SOURCE_ID_PATTERN = r"^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$"
VERSION_PATTERN = r"^[0-9]+(\.[0-9]+)*$"

_TEXT = {"type": "string", "minLength": 1, "maxLength": 2000}
_SHORT_TEXT = {"type": "string", "minLength": 1, "maxLength": 200}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "inspector-checklist-1.schema.json",
    "title": "Inspector checklist file, format inspector-checklist/1",
    "type": "object",
    "required": ["format", "id", "version", "title", "subject_kinds", "scoring", "sources", "sections"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": FORMAT},
        "id": {"type": "string", "pattern": CHECKLIST_ID_PATTERN, "maxLength": 64},
        "version": {"type": "string", "pattern": VERSION_PATTERN, "maxLength": 32},
        "title": _SHORT_TEXT,
        "title_en": _SHORT_TEXT,
        "group": _SHORT_TEXT,
        "description": _TEXT,
        # The kind of case a failed item creates unless the item's on_fail says otherwise. When absent (files written
        # before kinds): hazard for a "1+10" group, else problem (checklist_loader.default_case_kind).
        "case_kind": {"enum": list(CASE_KINDS)},
        "subject_kinds": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"enum": list(SUBJECT_KINDS)},
        },
        "scoring": {
            "type": "object",
            "required": ["method", "outcome_labels"],
            "additionalProperties": False,
            "properties": {
                "method": {"enum": list(SCORING_METHODS)},
                "pass_score": {"type": "number", "minimum": 0},
                "outcome_section": {"type": "string", "pattern": SECTION_ID_PATTERN},
                "outcome_labels": {
                    "type": "object",
                    "required": ["pass", "fail"],
                    "additionalProperties": False,
                    "properties": {"pass": _SHORT_TEXT, "fail": _SHORT_TEXT},
                },
                "note": _TEXT,
            },
        },
        "sources": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "title"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": SOURCE_ID_PATTERN, "maxLength": 64},
                    "title": _TEXT,
                    "issuer": _SHORT_TEXT,
                    "date": _SHORT_TEXT,
                    "number": _SHORT_TEXT,
                    "url": {"type": "string", "minLength": 1, "maxLength": 1000},
                    "note": _TEXT,
                },
            },
        },
        "sections": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "title", "items"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": SECTION_ID_PATTERN, "maxLength": 64},
                    "title": _SHORT_TEXT,
                    "guidance": _TEXT,
                    "provenance": {"$ref": "#/$defs/provenance"},
                    "items": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/item"}},
                },
            },
        },
    },
    "$defs": {
        "provenance": {
            "type": "object",
            "required": ["status"],
            "additionalProperties": False,
            "properties": {
                "status": {"enum": list(PROVENANCE_STATUSES)},
                "source": {"type": "string", "pattern": SOURCE_ID_PATTERN},
                "quote": _TEXT,
                "note": _TEXT,
            },
        },
        "item": {
            "type": "object",
            "required": ["id", "text", "response", "provenance"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "pattern": ITEM_ID_PATTERN, "maxLength": 64},
                "text": _TEXT,
                "guidance": _TEXT,
                "response": {"enum": list(RESPONSE_TYPES)},
                "points": {"type": "number", "minimum": 0, "maximum": 1000},
                "deduct_per": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000},
                "unit": _SHORT_TEXT,
                "min": {"type": "number"},
                "max": {"type": "number"},
                "on_fail": {
                    "type": "object",
                    "required": ["severity", "category"],
                    "additionalProperties": False,
                    "properties": {
                        "finding": {"enum": list(FINDING_RULES)},
                        "photo": {"enum": list(PHOTO_RULES)},
                        "severity": {"enum": list(SEVERITIES)},
                        "category": _SHORT_TEXT,
                        "case_kind": {"enum": list(CASE_KINDS)},
                        "deadline_days": {"type": "integer", "minimum": 0, "maximum": 365},
                    },
                },
                "provenance": {"$ref": "#/$defs/provenance"},
            },
        },
    },
}
