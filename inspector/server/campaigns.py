"""The district's campaigns: made, given their sites from a sheet and their people, published in the feed (`campaign`,
protocol §7.2), and summed up from the server's inspections and cases (docs/campaigns.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from inspector.core.campaigns import (
    Campaign,
    CampaignError,
    CampaignSheetError,
    CaseFact,
    InspectionFact,
    Site,
    SiteProblem,
    check_campaign,
    header_fields,
    one_per_inspection,
    site_rows,
)
from inspector.core.clock import now_iso
from inspector.core.errors import UserError
from inspector.core.ids import new_id
from inspector.core.jurisdiction import Level, parse_code
from inspector.core.protocol import FeedKind
from inspector.server import feed
from inspector.server.encoding import dumps, loads
from inspector.server.models import Campaign as CampaignRow
from inspector.server.models import (
    CampaignSite,
    ChecklistVersion,
    Finding,
    FindingEvent,
    Inspection,
    InspectionList,
    Jurisdiction,
    Subject,
    User,
)
from inspector.server.scope import code_range
from inspector.server.subjects import subject_document

MAX_SHEET_ROWS = 20000
_REPORTS = ("report", "report_fixed_on_site")


class UnknownCampaignError(UserError):
    """No campaign has this id."""

    code = "campaign_unknown"


@dataclass
class SiteImport:
    """What an import of the site sheet did."""

    rows: int = 0
    matched: int = 0  # rows that named a subject the district already had
    created: int = 0  # subjects made from rows
    added: int = 0  # sites new to the campaign
    already: int = 0  # sites the campaign already had


def _row(session: Session, campaign_id: str) -> CampaignRow:
    row = session.get(CampaignRow, campaign_id)
    if row is None:
        raise UnknownCampaignError(campaign=campaign_id)
    return row


def load(session: Session, campaign_id: str) -> Campaign:
    """A campaign with its sites, as core computes with it."""
    row = _row(session, campaign_id)
    sites = session.execute(
        select(Subject.id, Subject.name, Subject.jurisdiction, Subject.address)
        .join(CampaignSite, CampaignSite.subject_id == Subject.id)
        .where(CampaignSite.campaign_id == campaign_id)
        .order_by(CampaignSite.position)
    )
    return Campaign(
        id=row.id,
        name=row.name,
        kind=row.kind,
        starts=date.fromisoformat(row.starts_on),
        ends=date.fromisoformat(row.ends_on),
        checklists=tuple(loads(row.checklists)),
        jurisdiction=row.jurisdiction,
        inspectors=tuple(loads(row.inspectors)),
        version=row.version,
        sites=tuple(Site(site_id, name, code, address or "") for site_id, name, code, address in sites),
    )


def _publish(session: Session, campaign_id: str) -> Campaign:
    session.flush()
    campaign = load(session, campaign_id)
    feed.stage(session, FeedKind.CAMPAIGN, campaign.id, campaign.jurisdiction, campaign.to_json())
    return campaign


def create(
    session: Session,
    name: str,
    kind: str,
    starts: date,
    ends: date,
    checklists: list[str],
    jurisdiction: str,
    by: str,
    campaign_id: str | None = None,
) -> Campaign:
    """Make a campaign (no sites yet) and publish it; its checklists must have been published."""
    code = check_campaign(name, kind, starts, ends, checklists, jurisdiction)
    if session.get(Jurisdiction, code) is None:
        raise CampaignError(reason_zh=f"辖区 {code} 不在辖区表中", reason_en=f"jurisdiction {code} is not in the tree")
    known = set(session.scalars(select(ChecklistVersion.id).where(ChecklistVersion.id.in_(checklists))))
    missing = [item for item in checklists if item not in known]
    if missing:
        raise CampaignError(
            reason_zh=f"检查表未发布：{'、'.join(missing)}", reason_en=f"checklists not published: {', '.join(missing)}"
        )
    stamp = now_iso()
    row = CampaignRow(
        id=campaign_id or new_id(), name=name.strip(), kind=kind, starts_on=starts.isoformat(),
        ends_on=ends.isoformat(), jurisdiction=code, checklists=dumps(list(dict.fromkeys(checklists))),
        inspectors="[]", version=1, created_by=by, created_at=stamp, updated_at=stamp,
    )  # fmt: skip
    session.add(row)
    return _publish(session, row.id)


def assign(session: Session, campaign_id: str, usernames: list[str]) -> Campaign:
    """Set the campaign's inspectors (usernames of active accounts) and publish it."""
    row = _row(session, campaign_id)
    known = set(session.scalars(select(User.username).where(User.username.in_(usernames), User.active.is_(True))))
    missing = [name for name in usernames if name not in known]
    if missing:
        raise CampaignError(
            reason_zh=f"没有这些账号：{'、'.join(missing)}", reason_en=f"no such accounts: {', '.join(missing)}"
        )
    row.inspectors = dumps(list(dict.fromkeys(usernames)))
    row.version += 1
    row.updated_at = now_iso()
    return _publish(session, campaign_id)


def list_all(session: Session) -> list[tuple[CampaignRow, int]]:
    """Every campaign with its number of sites, newest period first."""
    counts = dict(
        session.execute(select(CampaignSite.campaign_id, func.count()).group_by(CampaignSite.campaign_id)).all()
    )
    rows = session.scalars(select(CampaignRow).order_by(CampaignRow.starts_on.desc(), CampaignRow.name))
    return [(row, int(counts.get(row.id, 0))) for row in rows]


# ---------------------------------------------------------------------------------------------------------------
# The site sheet
# ---------------------------------------------------------------------------------------------------------------


def read_sheet(path: Path) -> list[dict[str, Any]]:
    """The first sheet's rows as field → cell, one per sheet row after the header (blank rows kept, so that a
    row's place in the list gives its row number)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for damaged files
        raise CampaignError(
            reason_zh=f"无法读取 {path.name}（{error}）", reason_en=f"cannot read {path.name} ({error})"
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        columns = header_fields(next(rows, ()))
        if "name" not in columns.values():
            raise CampaignSheetError([SiteProblem(1, "点位名称", "表头缺少此列", "the header lacks this column")])
        result: list[dict[str, Any]] = []
        for values in rows:
            result.append({key: values[index] for index, key in columns.items() if index < len(values)})
            if len(result) > MAX_SHEET_ROWS:
                raise CampaignError(
                    reason_zh=f"点位表超过 {MAX_SHEET_ROWS} 行",
                    reason_en=f"the site sheet has more than {MAX_SHEET_ROWS} rows",
                )
        return result
    finally:
        workbook.close()


def _streets(session: Session) -> dict[str, str]:
    names: dict[str, str] = {}
    for code, name, short in session.execute(
        select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.short_name).where(
            Jurisdiction.level >= int(Level.STREET)
        )
    ):
        names.setdefault(name, code)
        if short:
            names.setdefault(short, code)
    return names


def import_sites(session: Session, campaign_id: str, path: Path, by: str) -> SiteImport:
    """Add the sheet's sites to a campaign: each row is matched to a subject (by 对象编码, else by its name inside
    the row's 街乡 or jurisdiction) or makes one. Any bad row refuses the whole sheet (`CampaignSheetError`, every
    row named); run inside one transaction, so a refusal leaves nothing behind. Importing the same sheet again
    changes nothing."""
    row = _row(session, campaign_id)
    rows = site_rows(read_sheet(path), _streets(session))
    result = SiteImport(rows=len(rows))
    known = set(session.scalars(select(Jurisdiction.code).where(Jurisdiction.code.in_({r.jurisdiction for r in rows}))))
    problems = [
        SiteProblem(r.row, "所属街乡", f"辖区 {r.jurisdiction} 不在辖区表中",
                    f"jurisdiction {r.jurisdiction} is not in the tree")
        for r in rows if r.jurisdiction not in known
    ]  # fmt: skip
    if problems:
        raise CampaignSheetError(problems)
    present = dict(
        session.execute(
            select(CampaignSite.subject_id, CampaignSite.position).where(CampaignSite.campaign_id == campaign_id)
        ).all()
    )
    position = max(present.values(), default=0)
    stamp = now_iso()
    for sheet_row in rows:
        subject = None
        if sheet_row.code:
            subject = session.scalar(select(Subject).where(Subject.code == sheet_row.code))
        if subject is None:
            subject = session.scalar(
                select(Subject)
                .where(
                    Subject.name == sheet_row.name,
                    Subject.jurisdiction.between(*code_range(parse_code(sheet_row.jurisdiction))),
                )
                .order_by(Subject.jurisdiction != sheet_row.jurisdiction, Subject.created_at, Subject.id)
                .limit(1)
            )
        if subject is None:
            subject = Subject(
                id=new_id(), kind=sheet_row.kind, name=sheet_row.name, code=sheet_row.code or None,
                jurisdiction=sheet_row.jurisdiction, address=sheet_row.address or None, location=None,
                details=dumps({"campaign": row.name}), active=True, version=1, created_by=None,
                created_at=stamp, updated_at=stamp,
            )  # fmt: skip
            session.add(subject)
            session.flush()  # before its site row, which refers to it
            feed.stage(session, FeedKind.SUBJECT, subject.id, subject.jurisdiction, subject_document(subject))
            result.created += 1
        else:
            result.matched += 1
        if subject.id in present:
            result.already += 1
            continue
        position += 1
        present[subject.id] = position
        session.add(CampaignSite(campaign_id=campaign_id, subject_id=subject.id, position=position, added_at=stamp))
        result.added += 1
    if result.added:
        row.version += 1
        row.updated_at = stamp
        _publish(session, campaign_id)
    return result


# ---------------------------------------------------------------------------------------------------------------
# The facts the figures are made of
# ---------------------------------------------------------------------------------------------------------------


def facts(session: Session, campaign: Campaign) -> tuple[list[InspectionFact], list[CaseFact]]:
    """The inspections of the campaign's sites with its checklists, and the cases raised in them (core's
    `counts_for` then decides which inspections count)."""
    site_ids = [site.subject_id for site in campaign.sites]
    names = {site.subject_id: site.name for site in campaign.sites}
    inspections: list[InspectionFact] = []
    cases: list[CaseFact] = []
    for start in range(0, len(site_ids), 500):
        chunk = site_ids[start : start + 500]
        rows = session.execute(
            select(
                Inspection.id, Inspection.subject_id, InspectionList.checklist_id, Inspection.finished_at,
                Inspection.programme,
            )
            .join(InspectionList, InspectionList.inspection_id == Inspection.id)
            .where(
                Inspection.subject_id.in_(chunk),
                or_(InspectionList.checklist_id.in_(campaign.checklists), Inspection.programme == campaign.id),
            )
        )  # fmt: skip
        inspections.extend(one_per_inspection((InspectionFact(*row) for row in rows), campaign.checklists))
        findings = {
            row.id: row
            for row in session.execute(
                select(
                    Finding.id,
                    Finding.kind,
                    Finding.severity,
                    Finding.state,
                    Finding.jurisdiction,
                    Finding.category,
                    Finding.ledger_number,
                    Finding.deadline,
                    Finding.subject_id,
                    Finding.data,
                ).where(Finding.subject_id.in_(chunk))
            )
        }
        reports = session.execute(
            select(FindingEvent.finding_id, FindingEvent.payload).where(
                FindingEvent.finding_id.in_(list(findings)), FindingEvent.action.in_(_REPORTS)
            )
        )
        for finding_id, payload in reports:
            found = findings[finding_id]
            inspection_id = loads(payload).get("inspection_id")
            description = loads(found.data).get("description") or ""
            cases.append(
                CaseFact(
                    id=found.id, inspection_id=inspection_id if isinstance(inspection_id, str) else None,
                    kind=found.kind, severity=found.severity, state=found.state, jurisdiction=found.jurisdiction,
                    category=found.category, description=str(description), ledger_number=found.ledger_number or "",
                    deadline=found.deadline or "", subject_name=names.get(found.subject_id or "", ""),
                )
            )  # fmt: skip
    return inspections, cases


def street_names(session: Session) -> dict[str, str]:
    """9-digit 街乡 code → its name."""
    return {
        code[:9]: name
        for code, name in session.execute(
            select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.level == int(Level.STREET))
        )
    }


def checklist_titles(session: Session, ids: tuple[str, ...]) -> dict[str, str]:
    """Checklist id → the title of its latest published version."""
    titles: dict[str, str] = {}
    for checklist_id, title in session.execute(
        select(ChecklistVersion.id, ChecklistVersion.title)
        .where(ChecklistVersion.id.in_(ids))
        .order_by(ChecklistVersion.published_at)
    ):
        titles[checklist_id] = title
    return titles
