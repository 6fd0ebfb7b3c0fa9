"""One inspection being run: its checklist, answers, photos and prepared findings, saved at every change.

Qt-free, so the rules (the prepared finding, the photo rule, what blocks finishing, finishing itself) are plain code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from inspector.core.checklist import Checklist, Item
from inspector.core.clock import local_date, utc_now
from inspector.core.ledger import Action, Actor
from inspector.core.scoring import Response, ScoreResult, effective_result, score
from inspector.store import findings, inspections, profile, subjects
from inspector.store.database import transaction
from inspector.store.inspections import FindingDraft, Inspection, StoredResponse
from inspector.store.photos import Photo
from inspector.store.subjects import Subject

if TYPE_CHECKING:
    from sqlite_utils import Database

# Kinds of problem that block finishing.
UNANSWERED, PHOTO_MISSING, FINDING_INCOMPLETE = "unanswered", "photo_missing", "finding_incomplete"
# The prepared description still says what the standard requires (its positive wording), not what was found.
DESCRIPTION_UNCHANGED = "description_unchanged"


@dataclass(frozen=True)
class Problem:
    """Something to fix before the inspection can be finished."""

    kind: str
    item_id: str
    detail: str = ""


@dataclass(frozen=True)
class Finished:
    """The finished inspection and the findings it reported."""

    inspection: Inspection
    finding_ids: tuple[str, ...]


class InspectionSession:
    """A loaded inspection with methods that save each change at once."""

    def __init__(self, db: Database, inspection_id: str) -> None:
        self.db = db
        self.inspection: Inspection = inspections.get(db, inspection_id)
        # every list of the visit in order (one for an ordinary inspection; a "1+10" visit adds area lists)
        self.lists: list[Checklist] = inspections.checklists_of(db, self.inspection)
        self.checklist: Checklist = self.lists[0]
        self._owner: dict[str, Checklist] = {item.id: c for c in reversed(self.lists) for item in c.items}
        self.subject: Subject = subjects.get(db, self.inspection.subject_id)
        self.responses: dict[str, StoredResponse] = inspections.responses(db, inspection_id)
        self.photos: dict[str, list[Photo]] = inspections.item_photos(db, inspection_id)
        self.drafts: dict[str, FindingDraft] = inspections.finding_drafts(db, inspection_id)

    @property
    def id(self) -> str:
        return self.inspection.id

    @property
    def is_draft(self) -> bool:
        return self.inspection.is_draft

    # -- lists ------------------------------------------------------------------------------------------------

    def list_of(self, item_id: str) -> Checklist:
        """The list an item belongs to (KeyError when no list of this inspection has it)."""
        return self._owner[item_id]

    def item(self, item_id: str) -> Item:
        """An item of any list of this inspection."""
        return self._owner[item_id].item(item_id)

    def items(self) -> list[Item]:
        """Every item of every list, in list order."""
        return [item for checklist in self.lists for item in checklist.items]

    # -- answers ----------------------------------------------------------------------------------------------

    def response(self, item_id: str) -> StoredResponse | None:
        return self.responses.get(item_id)

    def result(self, item_id: str) -> str | None:
        """pass / fail / na as scoring sees it (number items judged by their value), or None."""
        stored = self.responses.get(item_id)
        return effective_result(self.item(item_id), stored.as_response() if stored else None)

    def _save(self, item_id: str, **changes: object) -> StoredResponse:
        current = self.responses.get(item_id)
        fields: dict[str, object] = {
            "result": current.result if current else None,
            "value": current.value if current else None,
            "occurrences": current.occurrences if current else 1,
            "note": current.note if current else "",
        }
        fields.update(changes)
        stored = inspections.set_response(self.db, self.id, item_id, **fields)  # type: ignore[arg-type]
        self.responses[item_id] = stored
        return stored

    def set_result(self, item_id: str, result: str | None) -> StoredResponse | None:
        """Answer pass / fail / na (None clears the answer but keeps a note or value)."""
        current = self.responses.get(item_id)
        if result is None and current is not None and not current.note and current.value is None:
            inspections.clear_response(self.db, self.id, item_id)
            del self.responses[item_id]
            return None
        return self._save(item_id, result=result)

    def set_value(self, item_id: str, value: float | str | None) -> StoredResponse:
        """A measured value (number items) or an observation (text items)."""
        return self._save(item_id, value=value)

    def set_occurrences(self, item_id: str, occurrences: int) -> StoredResponse:
        return self._save(item_id, occurrences=max(1, occurrences))

    def set_note(self, item_id: str, note: str) -> StoredResponse | None:
        current = self.responses.get(item_id)
        if current is None and not note.strip():
            return None
        if current is not None and current.note == note:
            return current
        return self._save(item_id, note=note)

    def set_notes(self, notes: str) -> None:
        """The inspection's own free-text notes."""
        if notes != self.inspection.notes:
            inspections.set_notes(self.db, self.id, notes)
            self.inspection = inspections.get(self.db, self.id)

    # -- photos -----------------------------------------------------------------------------------------------

    def photo_added(self, item_id: str, photo: Photo) -> None:
        """A worker stored and linked a photo of this inspection; keep the in-memory list in step."""
        known = self.photos.setdefault(item_id, [])
        if all(existing.sha256 != photo.sha256 for existing in known):
            known.append(photo)

    def remove_photo(self, item_id: str, sha256: str) -> None:
        inspections.remove_photo(self.db, self.id, sha256, item_id)
        self.photos[item_id] = [photo for photo in self.photos.get(item_id, []) if photo.sha256 != sha256]

    def item_photos(self, item_id: str) -> list[Photo]:
        return list(self.photos.get(item_id, []))

    # -- prepared findings -----------------------------------------------------------------------------------

    def default_draft(self, item: Item) -> FindingDraft:
        """The finding a failed item prepares: a blank description (the item's text is only its hint: it states
        what the standard requires, the opposite of the problem), and its on_fail category and grade."""
        rules = item.on_fail
        assert rules is not None
        return FindingDraft(
            description="",
            category=rules.category,
            severity=rules.severity,
            deadline_days=rules.deadline_days,
            create=rules.finding_required,
        )

    def draft(self, item_id: str) -> FindingDraft | None:
        """The finding a failed item prepares (the inspector's edits, else the item's defaults); None when the item
        has not failed or makes no finding."""
        item = self.item(item_id)
        if self.result(item_id) != "fail" or item.on_fail is None or not item.on_fail.makes_finding:
            return None
        return self.drafts.get(item_id) or self.default_draft(item)

    def set_draft(self, item_id: str, draft: FindingDraft) -> None:
        item = self.item(item_id)
        if item.on_fail is not None and item.on_fail.finding_required and not draft.create:
            draft = FindingDraft(draft.description, draft.category, draft.severity, draft.deadline_days, True)
        inspections.save_finding_draft(self.db, self.id, item_id, draft)
        self.drafts[item_id] = draft

    def suggested_deadline(self, draft: FindingDraft) -> str | None:
        """The deadline suggestion as a Beijing date, counted from today."""
        if draft.deadline_days is None:
            return None
        return (local_date(utc_now()) + timedelta(days=draft.deadline_days)).isoformat()

    # -- score and checks ------------------------------------------------------------------------------------

    def score(self) -> ScoreResult:
        """The live score of the first list from the answers so far (no database work)."""
        return self.list_scores()[0][1]

    def list_scores(self) -> list[tuple[Checklist, ScoreResult]]:
        """The live score and outcome of each list, in list order (`core.scoring.score` per list)."""
        answers: dict[str, Response] = {item: stored.as_response() for item, stored in self.responses.items()}
        return [(checklist, score(checklist, answers)) for checklist in self.lists]

    def answered_count(self) -> tuple[int, int]:
        """(answered, total) over the items that need an answer."""
        needing = [item for item in self.items() if item.can_fail]
        return sum(1 for item in needing if self.result(item.id) is not None), len(needing)

    def problems(self) -> list[Problem]:
        """What blocks finishing, in checklist order: unanswered items, missing photos, incomplete findings."""
        found: list[Problem] = []
        for item in self.items():
            result = self.result(item.id)
            if result is None and item.can_fail:
                found.append(Problem(UNANSWERED, item.id))
                continue
            if result != "fail" or item.on_fail is None:
                continue
            if item.on_fail.photo_required and not self.photos.get(item.id):
                found.append(Problem(PHOTO_MISSING, item.id))
            draft = self.draft(item.id)
            if draft is not None and draft.create:
                missing = [name for name in ("description", "category") if not getattr(draft, name).strip()]
                if missing:
                    found.append(Problem(FINDING_INCOMPLETE, item.id, ",".join(missing)))
                elif draft.description.strip() == item.text.strip():
                    found.append(Problem(DESCRIPTION_UNCHANGED, item.id, "description"))
        return found

    def findings_to_report(self) -> list[tuple[Item, FindingDraft]]:
        """Failed items whose finding will be reported at finishing."""
        chosen: list[tuple[Item, FindingDraft]] = []
        for item in self.items():
            draft = self.draft(item.id)
            if draft is not None and draft.create:
                chosen.append((item, draft))
        return chosen

    def report_payload(self, item: Item, draft: FindingDraft) -> dict[str, object]:
        """The `report` command's payload for one failed item."""
        stored = self.responses.get(item.id)
        description = draft.description.strip()
        if stored and stored.note.strip() and stored.note.strip() not in description:
            description = f"{description}\n{stored.note.strip()}"
        payload: dict[str, object] = {
            "description": description,
            "category": draft.category.strip(),
            "kind": item.on_fail.case_kind if item.on_fail else self.list_of(item.id).case_kind,
            "source": self.inspection.source,
            "severity": draft.severity,
            "jurisdiction": self.inspection.jurisdiction or self.subject.jurisdiction,
            "subject_id": self.subject.id,
            "photos": [photo.sha256 for photo in self.photos.get(item.id, [])],
            "photo_required": bool(item.on_fail and item.on_fail.photo_required),
            "checklist": self.list_of(item.id).key,  # the list the item belongs to (a "1+10" area list)
        }
        if self.inspection.location_lat is not None and self.inspection.location_lon is not None:
            payload["location"] = {"lat": self.inspection.location_lat, "lon": self.inspection.location_lon}
        deadline = self.suggested_deadline(draft)
        if deadline:
            payload["suggested_deadline"] = deadline
        return payload

    # -- finishing --------------------------------------------------------------------------------------------

    def finish(self, actor_for: Callable[[str], Actor] | None = None) -> Finished:
        """Freeze the inspection and report its findings, all in one transaction (all or nothing).

        Raises ValueError listing the problems when something blocks finishing, and the store's errors (e.g. a
        refused command) unchanged.
        """
        problems = self.problems()
        if problems:
            raise ValueError(f"{len(problems)} problem(s) block finishing: {problems[:3]}")
        jurisdiction = self.inspection.jurisdiction or self.subject.jurisdiction
        actor = (actor_for or (lambda code: profile.local_actor(self.db, code)))(jurisdiction)
        finding_ids: list[str] = []
        with transaction(self.db):
            finished = inspections.finish(self.db, self.id)
            for item, draft in self.findings_to_report():
                recorded = findings.record_command(
                    self.db,
                    action=Action.REPORT,
                    actor=actor,
                    payload=self.report_payload(item, draft),
                    inspection_id=self.id,
                    item_id=item.id,
                )
                finding_ids.append(recorded.event.finding_id)
        inspections.forget_finding_drafts(self.db, self.id)
        self.inspection = finished
        return Finished(finished, tuple(finding_ids))

    def discard(self) -> None:
        """Throw the draft away (its photos stay stored)."""
        inspections.discard_draft(self.db, self.id)
        inspections.forget_finding_drafts(self.db, self.id)
