"""Parse and validate a checklist file's text into a Checklist, with `file:line: context: message` errors."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import jsonschema
import yaml

from inspector.core.checklist import Checklist, Item, OnFail, Provenance, Scoring, Section, Source
from inspector.core.checklist_schema import (
    FORMAT,
    FORMAT_1,
    FORMATS,
    LEGACY_OFFICIAL,
    RESPONSE_TYPES,
    SCHEMA,
    SCHEMA_1,
    STATUS_SOURCE_KINDS,
)

MAX_NODES = 100_000  # guards against alias expansion ("billion laughs") and absurdly large files

Path = tuple[str | int, ...]
_PLAIN_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
_VALIDATOR_1 = jsonschema.Draft202012Validator(SCHEMA_1)  # files and stored versions of the older format
_PATTERN_HINTS = {
    "item": "upper-case letters, digits and hyphens, e.g. MQ-07",
    "section": "lower-case letters, digits and hyphens, e.g. shiwu",
    "checklist": "lower-case letters, digits and hyphens, e.g. menqian-sanbao",
    "source": "letters, digits and hyphens, e.g. S-BJ-2025Q1",
    "version": 'a dotted number in quotes, e.g. "2025.1"',
}
_TYPE_NAMES = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "object": "a mapping",
    "array": "a list",
    "boolean": "true or false",
    "null": "empty",
}


@dataclass(frozen=True)
class ChecklistProblem:
    """One problem in a checklist file, located by line."""

    filename: str
    line: int
    context: str
    message: str

    def __str__(self) -> str:
        where = f"{self.filename}:{self.line}"
        return f"{where}: {self.context}: {self.message}" if self.context else f"{where}: {self.message}"


class ChecklistError(ValueError):
    """A checklist file that cannot be used; `.problems` lists every problem found."""

    def __init__(self, problems: list[ChecklistProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.filename, p.line))
        super().__init__("\n".join(str(p) for p in self.problems))


class _Tree:
    """A YAML document turned into plain values, remembering the line of every key and list entry."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.lines: dict[Path, int] = {}
        self.problems: list[ChecklistProblem] = []
        self._nodes = 0
        self._deferred: list[tuple[Path, int, str]] = []
        self._constructor = yaml.constructor.SafeConstructor()

    def problem(self, line: int, message: str, context: str = "") -> None:
        self.problems.append(ChecklistProblem(self.filename, line, context, message))

    def structure_problem(self, path: Path, line: int, message: str) -> None:
        """A problem found while building, whose context is named once the whole document is built."""
        self._deferred.append((path, line, message))

    def name_deferred(self, data: Any) -> None:
        for path, line, message in self._deferred:
            self.problem(line, message, describe(path, data))

    def build(self, node: yaml.Node, path: Path) -> Any:
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _TooLargeError
        self.lines.setdefault(path, node.start_mark.line + 1)
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_COLLECTION_TAGS:
            self.structure_problem(path, node.start_mark.line + 1, f"unsupported tag {node.tag}")
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*path, index)) for index, child in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.structure_problem(path, line, "merge keys (<<) are not supported; write the fields out")
                continue
            key = self._scalar(key_node, path) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.structure_problem(path, line, "keys must be plain text")
                continue
            if key in result:
                self.structure_problem(path, line, f'duplicate key "{key}"')
                continue
            self.lines[(*path, key)] = line
            result[key] = self.build(value_node, (*path, key))
        return result

    def _scalar(self, node: yaml.Node, path: Path) -> Any:
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self.structure_problem(path, node.start_mark.line + 1, f"unsupported value ({exc.problem})")
            return None


class _TooLargeError(Exception):
    pass


def parse_checklist(text: str, filename: str = "<checklist>") -> Checklist:
    """Parse checklist text; raise ChecklistError listing every problem (never another exception)."""
    tree = _Tree(filename)
    data = _compose(text, tree)
    if data is not None:
        _schema_problems(data, tree)
        if not tree.problems:
            _rule_problems(data, tree)
    if tree.problems or data is None:
        raise ChecklistError(tree.problems)
    return _to_checklist(data)


def _compose(text: str, tree: _Tree) -> dict[str, Any] | None:
    if not text.strip():
        tree.problem(1, "the file is empty")
        return None
    try:
        documents = list(yaml.compose_all(text, Loader=_SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        tree.problem(line, f"invalid YAML: {exc.problem or exc.context}")
        return None
    except yaml.YAMLError as exc:
        tree.problem(1, f"invalid YAML: {exc}")
        return None
    documents = [d for d in documents if d is not None]
    if len(documents) != 1:
        tree.problem(1, "expected exactly one YAML document" if documents else "the file is empty")
        return None
    root = documents[0]
    if not isinstance(root, yaml.MappingNode):
        tree.problem(root.start_mark.line + 1, "the top level must be a mapping (format:, id:, version:, …)")
        return None
    try:
        data = tree.build(root, ())
    except _TooLargeError:
        tree.problem(1, f"the document is too large (more than {MAX_NODES} values, or aliases expanding)")
        return None
    tree.name_deferred(data)
    return data


def describe(path: Path, data: Any) -> str:
    """The human context of a path: item "X", section "Y", source "Z", scoring, or nothing for the top level."""
    if len(path) >= 4 and path[0] == "sections" and path[2] == "items":
        item = _at(data, path[:4])
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            return f'item "{item["id"]}"'
        section = _at(data, path[:2])
        return f"item #{int(path[3]) + 1} of {_section_name(section, path[1])}"
    if len(path) >= 2 and path[0] == "sections":
        return _section_name(_at(data, path[:2]), path[1])
    if len(path) >= 2 and path[0] == "sources":
        source = _at(data, path[:2])
        if isinstance(source, dict) and isinstance(source.get("id"), str):
            return f'source "{source["id"]}"'
        return f"source #{int(path[1]) + 1}"
    if path and path[0] == "scoring":
        return "scoring"
    return ""


def _section_name(section: Any, index: str | int) -> str:
    if isinstance(section, dict) and isinstance(section.get("id"), str):
        return f'section "{section["id"]}"'
    return f"section #{int(index) + 1}"


def _at(data: Any, path: Path) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _line(tree: _Tree, path: Path) -> int:
    while path not in tree.lines and path:
        path = path[:-1]
    return tree.lines.get(path, 1)


def _schema_problems(data: dict[str, Any], tree: _Tree) -> None:
    if data.get("format") not in FORMATS:  # the format says how to read the rest: nothing more can be checked
        message = (
            f"unsupported format {data['format']!r}: this version reads {FORMAT} (and the older {FORMAT_1})"
            if "format" in data
            else f'missing "format" (write format: {FORMAT})'
        )
        tree.problem(_line(tree, ("format",)), message)
        return
    validator = _VALIDATOR_1 if data["format"] == FORMAT_1 else _VALIDATOR
    for error in validator.iter_errors(data):
        path = tuple(error.absolute_path)
        for field_path, message in _explain(error, path):
            tree.problem(_line(tree, field_path), message, describe(field_path, data))


def _explain(error: jsonschema.ValidationError, path: Path) -> Iterable[tuple[Path, str]]:
    kind = error.validator
    name = _field_name(path)
    if kind == "required":
        for missing in error.validator_value:
            if isinstance(error.instance, dict) and missing not in error.instance:
                yield path, f'missing "{missing}"'
        return
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        known = list(error.schema.get("properties", {}))
        for extra in sorted(set(error.instance) - set(known)):
            hint = difflib.get_close_matches(extra, known, n=1)
            suffix = f' (did you mean "{hint[0]}"?)' if hint else f" (known fields: {', '.join(known)})"
            yield (*path, extra), f'unknown field "{extra}"{suffix}'
        return
    yield path, _value_message(error, name, path)


def _value_message(error: jsonschema.ValidationError, name: str, path: Path) -> str:
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "enum" and path and path[-1] == "response":
        return f'unknown response type "{value}" (expected {", ".join(RESPONSE_TYPES)})'
    if kind == "enum" and path and path[-1] == "status" and value == "official":
        return (
            f'"official" is the older format\'s word: {FORMAT} says what the source is '
            f"({', '.join(map(str, expected))})"
        )
    if kind == "enum":
        return f'{name} must be one of {", ".join(map(str, expected))} (got "{value}")'
    if kind == "type":
        hint = ' (put it in quotes, e.g. "2025.1")' if path == ("version",) else ""
        return f"{name} must be {_TYPE_NAMES.get(str(expected), expected)}, not {_type_of(value)}{hint}"
    if kind == "pattern":
        return f'{name} "{value}" is not valid: use {_PATTERN_HINTS[_pattern_owner(path)]}'
    if kind == "minLength":
        return f"{name} must not be empty"
    if kind == "maxLength":
        return f"{name} is too long (at most {expected} characters)"
    if kind == "minItems":
        return f"{name} must not be empty"
    if kind == "uniqueItems":
        return f"{name} lists the same value twice"
    if kind in ("minimum", "exclusiveMinimum", "maximum"):
        relation = {"minimum": "at least", "exclusiveMinimum": "more than", "maximum": "at most"}[kind]
        return f"{name} must be {relation} {expected} (got {value})"
    return f"{name}: {error.message}"


def _field_name(path: Path) -> str:
    named = [p for p in path if isinstance(p, str)]
    if not named:
        return "the document"
    if path and isinstance(path[-1], int):
        return f'"{named[-1]}" entry #{path[-1] + 1}'
    return f'"{named[-1]}"'


def _pattern_owner(path: Path) -> str:
    if path == ("version",):
        return "version"
    if path == ("id",):
        return "checklist"
    if (len(path) >= 2 and path[-2] == "provenance") or path[:1] == ("sources",):
        return "source"
    if "items" in path:
        return "item"
    return "section"


def _type_of(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f'the text "{value[:40]}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _rule_problems(data: dict[str, Any], tree: _Tree) -> None:
    """The rules JSON Schema cannot say: unique ids, declared sources, coherent scoring and item rules."""
    _unique_ids(data["sources"], ("sources",), "source", tree, data)
    sources = {s["id"]: s for s in data["sources"]}
    _unique_ids(data["sections"], ("sections",), "section", tree, data)
    seen_items: dict[str, int] = {}
    deduction = data["scoring"]["method"] == "deduction"
    for s_index, section in enumerate(data["sections"]):
        section_path: Path = ("sections", s_index)
        _check_source(section.get("provenance"), (*section_path, "provenance"), sources, tree, data)
        for i_index, item in enumerate(section["items"]):
            item_path: Path = (*section_path, "items", i_index)
            line = _line(tree, (*item_path, "id"))
            if item["id"] in seen_items:
                tree.problem(
                    line, f"duplicate item id (first used on line {seen_items[item['id']]})", describe(item_path, data)
                )
            seen_items.setdefault(item["id"], line)
            _check_item(item, item_path, deduction, sources, tree, data)
    _check_scoring(data, tree)


def _unique_ids(entries: list[dict[str, Any]], path: Path, what: str, tree: _Tree, data: Any) -> set[str]:
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        line = _line(tree, (*path, index, "id"))
        if entry["id"] in seen:
            tree.problem(line, f'duplicate {what} id "{entry["id"]}" (first used on line {seen[entry["id"]]})')
        seen.setdefault(entry["id"], line)
    return set(seen)


def _check_source(
    provenance: dict[str, Any] | None, path: Path, sources: dict[str, dict[str, Any]], tree: _Tree, data: Any
) -> None:
    if provenance is None:
        return
    context = describe(path, data)
    source_id = provenance.get("source")
    if source_id is not None and source_id not in sources:
        tree.problem(
            _line(tree, (*path, "source")), f'provenance source "{source_id}" is not declared in "sources"', context
        )
    status = provenance["status"]
    if status != "reconstructed" and source_id is None:
        tree.problem(_line(tree, path), f'{status} provenance needs a "source"', context)
    source = sources.get(source_id or "")
    if data.get("format") != FORMAT_1 and source is not None and status in STATUS_SOURCE_KINDS:
        _check_status_fits_source(status, source, provenance, path, tree, context)
    if status == "reconstructed" and not provenance.get("note"):
        tree.problem(
            _line(tree, path), 'reconstructed provenance needs a "note" saying what the item rests on', context
        )


def _check_status_fits_source(
    status: str, source: dict[str, Any], provenance: dict[str, Any], path: Path, tree: _Tree, context: str
) -> None:
    """A status must say what its source is: only a titled rule in force is current rule text, and so on."""
    line = _line(tree, (*path, "status"))
    kinds = STATUS_SOURCE_KINDS[status]
    if source["kind"] not in kinds:
        tree.problem(
            line,
            f'status {status} cannot cite source "{source["id"]}" of kind {source["kind"]} '
            f"(it needs a source of kind {', '.join(kinds)})",
            context,
        )
        return
    if status == "current_rule":
        if "replaced_by" in source:
            tree.problem(line, f'source "{source["id"]}" is replaced (replaced_by): use repealed_rule', context)
        elif source.get("untitled"):
            tree.problem(
                line, f'source "{source["id"]}" has no recorded title: it cannot be current rule text', context
            )
        elif not provenance.get("quote"):
            tree.problem(line, 'current_rule provenance needs the rule\'s words in "quote"', context)
    if status == "repealed_rule" and "replaced_by" not in source:
        tree.problem(line, f'source "{source["id"]}" is not marked replaced (replaced_by): is it in force?', context)


def _check_item(
    item: dict[str, Any], path: Path, deduction: bool, sources: dict[str, dict[str, Any]], tree: _Tree, data: Any
) -> None:
    context = describe(path, data)

    def problem(field: str, message: str) -> None:
        tree.problem(_line(tree, (*path, field)), message, context)

    _check_source(item["provenance"], (*path, "provenance"), sources, tree, data)
    response, points = item["response"], item.get("points", 0)
    if response == "text":
        for field in ("points", "deduct_per", "on_fail", "min", "max"):
            if field in item and not (field == "points" and points == 0):
                problem(field, f'a text item cannot have "{field}" (text items never fail)')
        return
    if "on_fail" not in item:
        problem("id", f'missing "on_fail" (a {response} item can fail: give its severity and category)')
    if deduction and not points:
        problem("id", 'missing "points" (every item of a deduction list needs points)')
    if "deduct_per" in item and item["deduct_per"] > points:
        problem("deduct_per", f'"deduct_per" ({item["deduct_per"]}) is more than "points" ({points})')
    if response == "number":
        low, high = item.get("min"), item.get("max")
        if low is None and high is None:
            problem("id", 'a number item needs "min" and/or "max" (the range that passes)')
        elif low is not None and high is not None and low > high:
            problem("min", f'"min" ({low}) is more than "max" ({high})')
    else:
        for field in ("min", "max", "unit"):
            if field in item:
                problem(field, f'"{field}" only applies to number items')


def _check_scoring(data: dict[str, Any], tree: _Tree) -> None:
    scoring = data["scoring"]

    def problem(field: str, message: str) -> None:
        tree.problem(_line(tree, ("scoring", field)), message, "scoring")

    if scoring["method"] == "pass_fail":
        for field in ("pass_score", "outcome_section"):
            if field in scoring:
                problem(field, f'"{field}" only applies to the deduction method')
        return
    sections: dict[str, dict[str, Any]] = {}
    for section in data["sections"]:
        sections.setdefault(section["id"], section)
    basis = scoring.get("outcome_section")
    if basis is not None and basis not in sections:
        problem("outcome_section", f'outcome_section "{basis}" is not a section of this list')
        return
    if "pass_score" not in scoring:
        problem("method", 'missing "pass_score" (the deduction method needs the score that passes)')
        return
    counted = [sections[basis]] if basis else list(sections.values())
    maximum = sum(item.get("points", 0) for s in counted for item in s["items"])
    if scoring["pass_score"] > maximum:
        problem("pass_score", f"pass_score {scoring['pass_score']} is above the maximum score {maximum:g}")


def _provenance(raw: dict[str, Any]) -> Provenance:
    # Format 1 called "official" whatever a public copy of a rule was seen for, in force or not: say only that.
    status = LEGACY_OFFICIAL if raw["status"] == "official" else raw["status"]
    return Provenance(status=status, source_id=raw.get("source"), quote=raw.get("quote"), note=raw.get("note"))


def default_case_kind(group: str | None) -> str:
    """The kind of case of a file that does not say: a hazard for the "1+10" safety lists, else a problem."""
    return "hazard" if group and "1+10" in group else "problem"


def _on_fail(raw: dict[str, Any] | None, case_kind: str) -> OnFail | None:
    if raw is None:
        return None
    finding = raw.get("finding", "required")
    return OnFail(
        severity=raw["severity"],
        category=raw["category"],
        finding_required=finding == "required",
        finding_optional=finding == "optional",
        photo_required=raw.get("photo", "required") == "required",
        deadline_days=raw.get("deadline_days"),
        case_kind=raw.get("case_kind", case_kind),
    )


def _item(raw: dict[str, Any], section_id: str, case_kind: str) -> Item:
    return Item(
        id=raw["id"],
        text=raw["text"],
        response=raw["response"],
        provenance=_provenance(raw["provenance"]),
        section_id=section_id,
        guidance=raw.get("guidance"),
        points=float(raw.get("points", 0)),
        deduct_per=float(raw["deduct_per"]) if "deduct_per" in raw else None,
        unit=raw.get("unit"),
        min=raw.get("min"),
        max=raw.get("max"),
        on_fail=_on_fail(raw.get("on_fail"), case_kind),
    )


def _to_checklist(data: dict[str, Any]) -> Checklist:
    scoring = data["scoring"]
    case_kind = data.get("case_kind") or default_case_kind(data.get("group"))
    sections = tuple(
        Section(
            id=s["id"],
            title=s["title"],
            guidance=s.get("guidance"),
            provenance=_provenance(s["provenance"]) if "provenance" in s else None,
            items=tuple(_item(raw, s["id"], case_kind) for raw in s["items"]),
        )
        for s in data["sections"]
    )
    return Checklist(
        id=data["id"],
        version=data["version"],
        title=data["title"],
        title_en=data.get("title_en"),
        group=data.get("group"),
        description=data.get("description"),
        case_kind=case_kind,
        subject_kinds=tuple(data["subject_kinds"]),
        scoring=Scoring(
            method=scoring["method"],
            pass_label=scoring["outcome_labels"]["pass"],
            fail_label=scoring["outcome_labels"]["fail"],
            pass_score=scoring.get("pass_score"),
            outcome_section=scoring.get("outcome_section"),
            note=scoring.get("note"),
        ),
        sections=sections,
        sources=tuple(Source(**s) for s in data["sources"]),
        format=data["format"],
    )


def compose_located(
    text: str, filename: str
) -> tuple[dict[str, Any] | None, Callable[[Path], int], list[ChecklistProblem]]:
    """A YAML (or JSON) file's top-level mapping as plain values, the line of any path in it, and the problems met
    reading it — for other files validated like checklists (the scoring rules, `core/rules.py`)."""
    tree = _Tree(filename)
    data = _compose(text, tree)
    return data, lambda path: _line(tree, path), tree.problems
