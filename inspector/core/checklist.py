"""The checklist model: a versioned standard made of sections and items, each item with its provenance."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

# What each provenance status is called (Chinese; the UI translates them). Only current_rule says 原文: the text of a
# rule in force. legacy_official is format 1's "official", which never recorded whether the rule was still in force.
PROVENANCE_LABELS = {
    "current_rule": "现行规定原文",
    "repealed_rule": "已废止规定",
    "notice": "通知通报",
    "news_summary": "新闻报道",
    "district_plan": "区级方案",
    "seed": "文件摘录",
    "reconstructed": "参考条目",
    "legacy_official": "旧版标注官方",
}
PROVENANCE_ORDER = tuple(PROVENANCE_LABELS)
# What each kind of source document is called (the citation names it: a journal article is not a plan).
SOURCE_KIND_LABELS = {
    "law": "法律法规",
    "rule": "规章及规范性文件",
    "standard": "标准",
    "notice": "通知通报",
    "plan": "规划",
    "opinion": "意见",
    "evaluation": "评估报告",
    "briefing": "编制解读",
    "journal_article": "期刊文章",
    "news": "新闻报道",
    "district_plan": "区级工作方案",
    "web_page": "网页资料",
}
RESPONSE_LABELS = {"pass": "合格", "fail": "不合格", "na": "不适用"}
SUBJECT_KIND_LABELS = {"street_front_unit": "门前三包责任单位", "back_street": "背街小巷", "site": "检查场所"}


@dataclass(frozen=True)
class Source:
    """A document that items cite: title, issuer, date or number, URL."""

    id: str
    title: str
    issuer: str | None = None
    date: str | None = None
    number: str | None = None
    url: str | None = None
    note: str | None = None
    kind: str | None = None  # what the document is (SOURCE_KIND_LABELS); None in format 1 files
    untitled: bool = False  # the document's own title was not recorded: `title` describes its content
    replaced_by: str | None = None  # the rule or standard that repealed or superseded it

    def citation(self) -> str:
        """One line naming the document, e.g. 期刊文章 《标题》, 发布单位, 文号, 日期 (已被…代替)."""
        title = self.title if self.untitled or self.title.startswith("《") else f"《{self.title}》"
        if self.untitled:
            title += "（原标题未记录）"
        parts = [f"{SOURCE_KIND_LABELS[self.kind]} {title}" if self.kind in SOURCE_KIND_LABELS else title]
        parts += [p for p in (self.issuer, self.number, self.date) if p]
        if self.replaced_by:
            parts.append(f"已被{self.replaced_by}代替")
        return ", ".join(parts)


@dataclass(frozen=True)
class Provenance:
    """Where an item's wording comes from: a status saying what the source really is (PROVENANCE_LABELS)."""

    status: str
    source_id: str | None = None
    quote: str | None = None
    note: str | None = None

    @property
    def is_official(self) -> bool:
        """True only for the quoted text of a rule in force."""
        return self.status == "current_rule"


@dataclass(frozen=True)
class OnFail:
    """What a failed item demands: a finding, a photo, and the finding's default severity/category/deadline."""

    severity: str
    category: str
    finding_required: bool = True
    finding_optional: bool = False
    photo_required: bool = True
    deadline_days: int | None = None
    case_kind: str = "problem"  # the kind of case the failure creates: "problem" or "hazard"

    @property
    def makes_finding(self) -> bool:
        """Whether a failure prepares a finding at all (required or optional)."""
        return self.finding_required or self.finding_optional


@dataclass(frozen=True)
class Item:
    """One check: its wording, guidance, response type, scoring, on-fail rules and provenance."""

    id: str
    text: str
    response: str
    provenance: Provenance
    section_id: str
    guidance: str | None = None
    points: float = 0.0
    deduct_per: float | None = None
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    on_fail: OnFail | None = None

    @property
    def can_fail(self) -> bool:
        """Text items record an observation and never fail."""
        return self.response != "text"


@dataclass(frozen=True)
class Section:
    """A group of items with a heading (e.g. 十无, 包卫生干净)."""

    id: str
    title: str
    items: tuple[Item, ...]
    guidance: str | None = None
    provenance: Provenance | None = None

    @property
    def max_points(self) -> float:
        return sum(item.points for item in self.items)


@dataclass(frozen=True)
class Scoring:
    """How a checklist is scored and what decides its outcome."""

    method: str
    pass_label: str
    fail_label: str
    pass_score: float | None = None
    outcome_section: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Checklist:
    """A whole standard at one version."""

    id: str
    version: str
    title: str
    subject_kinds: tuple[str, ...]
    scoring: Scoring
    sections: tuple[Section, ...]
    sources: tuple[Source, ...]
    title_en: str | None = None
    group: str | None = None
    description: str | None = None
    case_kind: str = "problem"  # the file's default kind of case (items may override it in on_fail)
    format: str = "inspector-checklist/2"
    _item_index: dict[str, Item] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._item_index.update({item.id: item for section in self.sections for item in section.items})

    @cached_property
    def items(self) -> tuple[Item, ...]:
        """All items, in order."""
        return tuple(item for section in self.sections for item in section.items)

    def item(self, item_id: str) -> Item:
        """The item with this id; KeyError if there is none."""
        return self._item_index[item_id]

    def section(self, section_id: str) -> Section:
        """The section with this id; KeyError if there is none."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def source(self, source_id: str | None) -> Source | None:
        """The declared source with this id, if any."""
        return next((s for s in self.sources if s.id == source_id), None)

    def iter_items(self) -> Iterator[tuple[Section, Item]]:
        """(section, item) pairs in order."""
        for section in self.sections:
            for item in section.items:
                yield section, item

    def provenance_counts(self) -> dict[str, int]:
        """How many items have each provenance status (every status of PROVENANCE_ORDER, zero when none)."""
        counts = dict.fromkeys(PROVENANCE_ORDER, 0)
        for item in self.items:
            counts[item.provenance.status] = counts.get(item.provenance.status, 0) + 1
        return counts

    @property
    def key(self) -> str:
        """`id@version`, the pin an inspection records."""
        return f"{self.id}@{self.version}"
