"""The month's outputs of this laptop's data (月检查, 月曝光, 月排名及通报 PDF and xlsx): read through
`inspector.store`, computed with `inspector.core.month` and `inspector.core.statistics`, written through
`inspector.reports.month_report`. Plain functions over a connection of their own, run on a worker or by the CLI.

The document writers (reportlab, openpyxl, which brings numpy: about 0.75 s) and the patrol store (which brings the
photo store's image libraries) are imported by the functions that use them, on the worker, so the statistics page
that shows these outputs' buttons does not pay for them on opening."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from inspector.core import month as month_rules
from inspector.core import statistics
from inspector.core.clock import local_date, utc_now
from inspector.core.jurisdiction import parse_code, street_of
from inspector.core.ledger import FindingState, state_label
from inspector.core.statistics import DEFAULT_RULES, StatisticsRules
from inspector.store import (
    checklists,
    jurisdictions,
    people,
    scoring_rules,
    statistics_facts,
    statistics_queries,
    talks,
)
from inspector.store.database import DataFolder

if TYPE_CHECKING:
    from inspector.reports.month_report import ExposedCase, MonthReport

CHECKS, EXPOSURE, RANKING_PDF, RANKING_XLSX = "checks", "exposure", "ranking_pdf", "ranking_xlsx"
OUTPUTS: tuple[str, ...] = (CHECKS, EXPOSURE, RANKING_PDF, RANKING_XLSX)
FILE_NAMES: dict[str, str] = {
    CHECKS: "{month}-月检查.pdf",
    EXPOSURE: "{month}-月曝光.pdf",
    RANKING_PDF: "{month}-月排名通报.pdf",
    RANKING_XLSX: "{month}-月排名通报.xlsx",
}


def writers() -> dict[str, Callable[[MonthReport, Path], None]]:
    """The writer of each output (imported now: see the module's docstring)."""
    from inspector.reports import month_report as documents

    return {
        CHECKS: documents.write_checks_pdf,
        EXPOSURE: documents.write_exposure_pdf,
        RANKING_PDF: documents.write_ranking_pdf,
        RANKING_XLSX: documents.write_ranking_xlsx,
    }


def rule_text(rules: StatisticsRules) -> str:
    """The rule a published figure used: its id and version, and, for the shipped default, that it is the project's
    proposal."""
    from inspector.reports import month_report as documents

    named = f"{rules.rule_id}（版本 {rules.rule_version}）"
    return f"{named}：{documents.PROPOSED_RULE}" if rules.rule_id == DEFAULT_RULES.rule_id else named


def _inside(code: str, area: str) -> bool:
    return not area or code.startswith(area)


def load_month(
    folder: DataFolder,
    month: str,
    jurisdiction: str = "",
    now: datetime | None = None,
    rules: StatisticsRules | None = None,
) -> MonthReport:
    """Every figure of the month's documents for the area (`jurisdiction`, any level; "" = all this laptop holds),
    with every case the exposure rule preselects; `rules` default to the district's published scoring rule (else the
    shipped one)."""
    from inspector.reports.month_report import MonthReport

    statistics.check_month(month)
    moment = now or utc_now()
    area = parse_code(jurisdiction).short if jurisdiction else ""
    end = statistics.month_end(month)
    running = moment < end
    db = folder.connect()
    try:
        places = statistics_facts.subject_places(db)
        subjects = [
            s for s in statistics_facts.subject_facts(db) if _inside(places.get(s.subject_id, ("", ""))[0], area)
        ]
        subject_ids = {s.subject_id for s in subjects}
        inspections = [i for i in statistics_facts.inspection_facts(db) if i.subject_id in subject_ids]
        # the findings are counted by aggregate SQL, as on the statistics page; only the exposure's candidates are
        # read as records
        overdue = statistics_queries.overdue_by_month(db, [month], moment, area)[month]
        due = statistics_queries.streets_due(db, month, area)
        unit_counts = statistics_queries.unit_findings(db, month, area)
        candidates = statistics_queries.exposure_candidates(db, month, moment, area)
        street_names = jurisdictions.street_names(db)
        area_name = (jurisdictions.name_of(db, parse_code(area).full) or area) if area else ""
        person_names = people.display_names(db)
        checklist_names = {row.id: row.title for row in checklists.list_cached(db)}
        month_talks = [t for t in talks.talks(db, month) if _inside(parse_code(t.street).full, area)]
        from inspector.store import unit_cycle

        patrols = [v for v in unit_cycle.patrol_visits_between(db) if v.subject_id in subject_ids]
        rules = rules or scoring_rules.active_rule(db).rules
    finally:
        db.close()
    visits = month_rules.visits_from_inspections(inspections) + patrols
    until = local_date(moment) if running else None
    pairs = [(s.subject_id, s.kind) for s in subjects]
    coverage = [(f, month_rules.coverage(f, pairs, visits, month, until)) for f in month_rules.FREQUENCIES]
    ranked = statistics_queries.at_levels(inspections, rules.ranking_levels)
    ranking = statistics.rank_streets(
        statistics_queries.ranking_inputs(month, subjects, ranked, due, overdue, street_names), rules
    )
    back = statistics.back_street_status(inspections, rules=rules)
    at_unit_levels = statistics_queries.at_levels(inspections, rules.unit_levels)
    units = statistics_queries.unit_inputs(month, subjects, at_unit_levels, unit_counts, overdue)
    return MonthReport(
        month=month,
        area=area_name,
        created=moment,
        checks=month_rules.month_checks(visits, month),
        checklist_names=checklist_names,
        person_names=person_names,
        subject_names={s.subject_id: s.name for s in subjects},
        street_names=street_names,
        subject_streets={s.subject_id: s.street for s in subjects},
        coverage=coverage,
        until=until,
        exposed=_exposed(
            folder, candidates, month, moment, {s.subject_id: s.name for s in subjects}, places, street_names
        ),
        ranking=ranking,
        changes=month_rules.status_changes(back, month),
        red_black=statistics.red_black_list(units, rules),
        rule=rule_text(rules),
        talks=month_talks,
    )


def _exposed(
    folder: DataFolder,
    views: Iterable[FindingState],
    month: str,
    now: datetime,
    names: dict[str, str],
    places: dict[str, tuple[str, str]],
    street_names: dict[str, str],
) -> list[ExposedCase]:
    from inspector.reports.month_report import ExposedCase

    found = []
    for finding, reasons in month_rules.exposed_cases(views, month, now):
        name = names.get(finding.subject_id or "", "")
        address = places.get(finding.subject_id or "", ("", ""))[1]
        street = street_names.get(street_of(finding.jurisdiction), street_of(finding.jurisdiction))
        place = "，".join(part for part in (name, address) if part) or street
        photo = folder.photo_path(finding.photos[0]) if finding.photos else None
        found.append(
            ExposedCase(
                finding_id=finding.finding_id,
                ledger_number=finding.ledger_number or "",
                description=finding.description,
                category=finding.category,
                place=place,
                street=street,
                deadline=finding.deadline,
                status=state_label(finding.kind, finding.state),
                reasons=tuple(reasons),
                photo=photo if photo is not None and photo.exists() else None,
                photo_missing=photo is not None and not photo.exists(),
            )
        )
    return found


def choose_exposed(report: MonthReport, finding_ids: Collection[str]) -> MonthReport:
    """The report with only these preselected cases exposed (the supervisor unticked the others)."""
    return replace(report, exposed=[case for case in report.exposed if case.finding_id in finding_ids])


def write_output(report: MonthReport, output: str, path: Path) -> Path:
    """Write one of the month's documents to `path`."""
    writers()[output](report, path)
    return path


def write_all(report: MonthReport, folder: Path, progress: Callable[[int, int, str], None] | None = None) -> list[Path]:
    """Write every document of the month into `folder` (FILE_NAMES); returns the paths."""
    written = []
    for number, output in enumerate(OUTPUTS):
        if progress is not None:
            progress(number, len(OUTPUTS), output)
        written.append(write_output(report, output, folder / FILE_NAMES[output].format(month=report.month)))
    if progress is not None:
        progress(len(OUTPUTS), len(OUTPUTS), "")
    return written


def previous_month(now: datetime | None = None) -> str:
    """The last finished Beijing month (the usual month of a 通报)."""
    first = local_date(now or utc_now()).replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def patrol_alert(folder: DataFolder, now: datetime | None = None) -> list[tuple[str, str, str]]:
    """The 门前三包 units with no 街乡 patrol yet in the current half-month (1–15, 16–end): (id, name, 街乡 name)."""
    db = folder.connect()
    try:
        units = [s for s in statistics_facts.subject_facts(db) if s.kind == statistics.STREET_FRONT_KIND]
        visits = month_rules.visits_from_inspections(statistics_facts.inspection_facts(db))
        from inspector.store import unit_cycle

        visits += unit_cycle.patrol_visits_between(db)
        street_names = jurisdictions.street_names(db)
    finally:
        db.close()
    pairs = [(u.subject_id, u.kind) for u in units]
    missing = set(month_rules.patrol_alert(pairs, visits, local_date(now or utc_now())))
    return [(u.subject_id, u.name, street_names.get(u.street, u.street)) for u in units if u.subject_id in missing]
