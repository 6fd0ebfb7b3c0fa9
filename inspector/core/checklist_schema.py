"""The versioned JSON Schemas of checklist files (formats `inspector-checklist/2` and the older `/1`), also shipped
as .json files."""

from __future__ import annotations

from typing import Any

FORMAT = "inspector-checklist/2"
FORMAT_1 = (
    "inspector-checklist/1"  # still read: files and stored versions written before provenance said what a source is
)
FORMATS = (FORMAT, FORMAT_1)
RESPONSE_TYPES = ("pass_fail", "number", "text")
# What an item's wording really rests on (format 2). Only current_rule is a rule's own text in force.
PROVENANCE_STATUSES = (
    "current_rule",  # quoted from the text of a law, rule or standard in force
    "repealed_rule",  # quoted from a law, rule or standard since repealed or superseded
    "notice",  # quoted from an official notice or circular (通知、通报), which is not a rule
    "news_summary",  # from a news report or summary about a rule or a practice, not the rule's text
    "district_plan",  # from a district's or street's work plan
    "seed",  # from the brief's own documents (plans, an opinion, an evaluation, a journal article)
    "reconstructed",  # no source for this wording: an inspector's check, anchored where possible
)
PROVENANCE_STATUSES_1 = ("official", "seed", "reconstructed")
LEGACY_OFFICIAL = "legacy_official"  # what format 1's "official" is read as: current or repealed was never recorded
# The kind of document a source is (format 2), and which kinds each status may cite.
SOURCE_KINDS = (
    "law",  # 法律法规
    "rule",  # 规章及规范性文件
    "standard",  # 标准
    "notice",  # 通知通报
    "plan",  # 规划
    "opinion",  # 意见
    "evaluation",  # 评估报告
    "briefing",  # 编制解读
    "journal_article",  # 期刊文章
    "news",  # 新闻报道
    "district_plan",  # 区级工作方案
    "web_page",  # 网页资料: reprints, templates, other cities' texts
)
RULE_KINDS = ("law", "rule", "standard")
SEED_KINDS = ("plan", "opinion", "evaluation", "briefing", "journal_article")
STATUS_SOURCE_KINDS: dict[str, tuple[str, ...]] = {
    "current_rule": RULE_KINDS,
    "repealed_rule": RULE_KINDS,
    "notice": ("notice",),
    "news_summary": ("news",),
    "district_plan": ("district_plan",),
    "seed": SEED_KINDS,
}
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


def _schema(version: int) -> dict[str, Any]:
    """The JSON Schema of a format version: 2 (source kinds, the statuses above) or 1 (official/seed/reconstructed)."""
    source_extra: dict[str, Any] = {}
    if version == 2:
        source_extra = {
            "kind": {"enum": list(SOURCE_KINDS)},
            "untitled": {"type": "boolean"},
            "replaced_by": _TEXT,
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"inspector-checklist-{version}.schema.json",
        "title": f"Inspector checklist file, format inspector-checklist/{version}",
        "type": "object",
        "required": ["format", "id", "version", "title", "subject_kinds", "scoring", "sources", "sections"],
        "additionalProperties": False,
        "properties": {
            "format": {"const": FORMAT if version == 2 else FORMAT_1},
            "id": {"type": "string", "pattern": CHECKLIST_ID_PATTERN, "maxLength": 64},
            "version": {"type": "string", "pattern": VERSION_PATTERN, "maxLength": 32},
            "title": _SHORT_TEXT,
            "title_en": _SHORT_TEXT,
            "group": _SHORT_TEXT,
            "description": _TEXT,
            # The kind of case a failed item creates unless the item's on_fail says otherwise. When absent (files
            # written before kinds): hazard for a "1+10" group, else problem (checklist_loader.default_case_kind).
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
                    "required": ["id", "title", "kind"] if version == 2 else ["id", "title"],
                    "additionalProperties": False,
                    "properties": {
                        "id": {"type": "string", "pattern": SOURCE_ID_PATTERN, "maxLength": 64},
                        "title": _TEXT,
                        "issuer": _SHORT_TEXT,
                        "date": _SHORT_TEXT,
                        "number": _SHORT_TEXT,
                        "url": {"type": "string", "minLength": 1, "maxLength": 1000},
                        "note": _TEXT,
                        **source_extra,
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
                    "status": {"enum": list(PROVENANCE_STATUSES if version == 2 else PROVENANCE_STATUSES_1)},
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


SCHEMA = _schema(2)
SCHEMA_1 = _schema(1)
