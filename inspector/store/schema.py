"""The client database schema as ordered sqlite-utils migrations; the schema version is the count applied."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from inspector.core.checklist_loader import ChecklistError, parse_checklist
from inspector.core.levels import level_from_source
from inspector.core.settings import RENAMED as RENAMED_SETTINGS
from inspector.store import jsonutil, text_index

MIGRATION_SET = "inspector"

MigrationStep = tuple[str, Callable[[Database], None]]

# Each statement runs on its own inside the migration's transaction (executescript would commit early).
_INITIAL_SCHEMA: tuple[str, ...] = (
    """CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE jurisdictions (
        code TEXT PRIMARY KEY CHECK (length(code) = 15),
        name TEXT NOT NULL,
        parent_code TEXT,
        level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX idx_jurisdictions_parent ON jurisdictions (parent_code)",
    """CREATE TABLE checklists (
        id TEXT NOT NULL,
        version TEXT NOT NULL,
        title TEXT NOT NULL,
        subject_kinds TEXT NOT NULL DEFAULT '[]',
        source_format TEXT NOT NULL CHECK (source_format IN ('yaml', 'json')),
        source_text TEXT NOT NULL,
        source_sha256 TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('shipped', 'server')),
        cached_at TEXT NOT NULL,
        PRIMARY KEY (id, version)
    )""",
    """CREATE TABLE subjects (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('street_front_unit', 'back_street', 'site')),
        code TEXT,
        name TEXT NOT NULL CHECK (length(trim(name)) > 0),
        address TEXT,
        jurisdiction TEXT,
        responsible_person TEXT,
        phone TEXT,
        extra TEXT NOT NULL DEFAULT '{}',
        location_lat REAL CHECK (location_lat IS NULL OR location_lat BETWEEN -90 AND 90),
        location_lon REAL CHECK (location_lon IS NULL OR location_lon BETWEEN -180 AND 180),
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        version INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        sync_state TEXT NOT NULL DEFAULT 'pending' CHECK (sync_state IN ('pending', 'synced', 'conflict'))
    )""",
    "CREATE INDEX idx_subjects_kind ON subjects (kind)",
    "CREATE INDEX idx_subjects_code ON subjects (code)",
    "CREATE INDEX idx_subjects_jurisdiction ON subjects (jurisdiction)",
    "CREATE INDEX idx_subjects_updated_at ON subjects (updated_at)",
    "CREATE INDEX idx_subjects_sync_state ON subjects (sync_state)",
    """CREATE TABLE inspections (
        id TEXT PRIMARY KEY,
        checklist_id TEXT NOT NULL,
        checklist_version TEXT NOT NULL,
        subject_id TEXT NOT NULL REFERENCES subjects (id),
        jurisdiction TEXT,
        inspector_id TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'finished')),
        started_at TEXT NOT NULL,
        finished_at TEXT,
        location_lat REAL CHECK (location_lat IS NULL OR location_lat BETWEEN -90 AND 90),
        location_lon REAL CHECK (location_lon IS NULL OR location_lon BETWEEN -180 AND 180),
        location_accuracy_m REAL,
        notes TEXT NOT NULL DEFAULT '',
        score REAL,
        max_score REAL,
        passed INTEGER,
        outcome TEXT,
        updated_at TEXT NOT NULL,
        sync_state TEXT NOT NULL DEFAULT 'local' CHECK (sync_state IN ('local', 'pending', 'synced', 'conflict')),
        FOREIGN KEY (checklist_id, checklist_version) REFERENCES checklists (id, version)
    )""",
    "CREATE INDEX idx_inspections_status ON inspections (status)",
    "CREATE INDEX idx_inspections_subject ON inspections (subject_id)",
    "CREATE INDEX idx_inspections_updated_at ON inspections (updated_at)",
    "CREATE INDEX idx_inspections_jurisdiction ON inspections (jurisdiction)",
    "CREATE INDEX idx_inspections_checklist ON inspections (checklist_id, checklist_version)",
    """CREATE TABLE responses (
        inspection_id TEXT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
        item_id TEXT NOT NULL,
        result TEXT CHECK (result IS NULL OR result IN ('pass', 'fail', 'na')),
        value TEXT,
        occurrences INTEGER NOT NULL DEFAULT 1 CHECK (occurrences >= 1),
        note TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        PRIMARY KEY (inspection_id, item_id)
    )""",
    """CREATE TABLE findings (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        jurisdiction TEXT,
        severity TEXT,
        category TEXT,
        description TEXT NOT NULL DEFAULT '',
        subject_id TEXT,
        inspection_id TEXT REFERENCES inspections (id),
        item_id TEXT,
        ledger_number TEXT,
        deadline TEXT,
        responsible_unit TEXT,
        escalation TEXT,
        reported_by TEXT,
        reported_at TEXT,
        closed_at TEXT,
        projection TEXT NOT NULL,
        confirmed_projection TEXT,
        has_pending INTEGER NOT NULL DEFAULT 0 CHECK (has_pending IN (0, 1)),
        has_conflict INTEGER NOT NULL DEFAULT 0 CHECK (has_conflict IN (0, 1)),
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX idx_findings_state ON findings (state)",
    "CREATE INDEX idx_findings_deadline ON findings (deadline)",
    "CREATE INDEX idx_findings_subject ON findings (subject_id)",
    "CREATE INDEX idx_findings_jurisdiction ON findings (jurisdiction)",
    "CREATE INDEX idx_findings_updated_at ON findings (updated_at)",
    "CREATE INDEX idx_findings_inspection ON findings (inspection_id)",
    "CREATE INDEX idx_findings_pending ON findings (has_pending, has_conflict)",
    """CREATE TABLE finding_events (
        event_id TEXT PRIMARY KEY,
        finding_id TEXT NOT NULL REFERENCES findings (id),
        action TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        at TEXT NOT NULL,
        payload TEXT NOT NULL DEFAULT '{}',
        base_state TEXT,
        origin TEXT NOT NULL CHECK (origin IN ('local', 'server')),
        sync_state TEXT NOT NULL CHECK (sync_state IN ('pending', 'acknowledged', 'conflict', 'rejected')),
        reason TEXT,
        server_seq INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX idx_finding_events_finding ON finding_events (finding_id, at)",
    "CREATE INDEX idx_finding_events_sync_state ON finding_events (sync_state)",
    """CREATE TABLE photos (
        sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
        bytes INTEGER NOT NULL CHECK (bytes > 0),
        width INTEGER NOT NULL CHECK (width > 0),
        height INTEGER NOT NULL CHECK (height > 0),
        taken_at TEXT,
        gps_lat REAL CHECK (gps_lat IS NULL OR gps_lat BETWEEN -90 AND 90),
        gps_lon REAL CHECK (gps_lon IS NULL OR gps_lon BETWEEN -180 AND 180),
        original_name TEXT,
        orientation INTEGER NOT NULL DEFAULT 1,
        source_format TEXT,
        source_sha256 TEXT,
        has_original INTEGER NOT NULL DEFAULT 0 CHECK (has_original IN (0, 1)),
        original_ext TEXT,
        imported_at TEXT NOT NULL,
        uploaded INTEGER NOT NULL DEFAULT 0 CHECK (uploaded IN (0, 1))
    )""",
    "CREATE INDEX idx_photos_source ON photos (source_sha256)",
    "CREATE INDEX idx_photos_uploaded ON photos (uploaded)",
    """CREATE TABLE photo_links (
        photo_sha256 TEXT NOT NULL REFERENCES photos (sha256),
        owner_kind TEXT NOT NULL CHECK (owner_kind IN ('inspection', 'finding', 'finding_event', 'subject')),
        owner_id TEXT NOT NULL,
        item_id TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL CHECK (role IN ('evidence', 'before', 'after')),
        created_at TEXT NOT NULL,
        PRIMARY KEY (photo_sha256, owner_kind, owner_id, item_id, role)
    )""",
    "CREATE INDEX idx_photo_links_owner ON photo_links (owner_kind, owner_id)",
    """CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        change_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL
            CHECK (kind IN ('subject.create', 'subject.update', 'inspection.submit', 'ledger.command')),
        entity_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        last_attempt_at TEXT,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'retry_later'))
    )""",
    "CREATE INDEX idx_outbox_state ON outbox (state, seq)",
    "CREATE INDEX idx_outbox_entity ON outbox (entity_id)",
    """CREATE TABLE sync_cursors (
        feed TEXT PRIMARY KEY,
        cursor INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE conflicts (
        id TEXT PRIMARY KEY,
        change_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        local_payload TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('conflict', 'rejected')),
        code TEXT NOT NULL,
        message TEXT NOT NULL DEFAULT '',
        server_current TEXT,
        created_at TEXT NOT NULL,
        resolved_at TEXT,
        resolution TEXT CHECK (resolution IS NULL OR resolution IN ('reapplied', 'dropped'))
    )""",
    "CREATE INDEX idx_conflicts_open ON conflicts (resolved_at)",
    "CREATE INDEX idx_conflicts_entity ON conflicts (entity_id)",
)


def _initial_schema(db: Database) -> None:
    """Every table of the first release."""
    for statement in _INITIAL_SCHEMA:
        db.execute(statement)


# The ledger view (隐患台账) sorts and filters 100,000 findings. Each sort key has an index ending in the id (the
# tie-breaker), so a page's ids come from an index alone; each equality filter (state, category, grade, 街乡) has one
# followed by the report time, the default order, so a filtered first page needs no sort; and a narrow covering
# index of the searched text columns lets a substring search scan it instead of the wide rows.
_LEDGER_VIEW_INDEXES: tuple[str, ...] = (
    "CREATE INDEX idx_findings_reported_at ON findings (reported_at, id)",
    "CREATE INDEX idx_findings_deadline_id ON findings (deadline, id)",
    "CREATE INDEX idx_findings_state_reported ON findings (state, reported_at, id)",
    "CREATE INDEX idx_findings_state_deadline ON findings (state, deadline, reported_at, id)",
    "CREATE INDEX idx_findings_category ON findings (category, reported_at, id)",
    "CREATE INDEX idx_findings_severity ON findings (severity, reported_at, id)",
    "CREATE INDEX idx_findings_ledger_number ON findings (ledger_number, id)",
    "CREATE INDEX idx_findings_unit ON findings (responsible_unit, id)",
    "CREATE INDEX idx_findings_street ON findings (jurisdiction, reported_at, id)",
    "CREATE INDEX idx_findings_closed_at ON findings (closed_at, id)",
    "CREATE INDEX idx_findings_text ON findings (description, category, ledger_number, responsible_unit, subject_id)",
)


def _ledger_view_indexes(db: Database) -> None:
    """Indexes for the ledger view's sorts, filters and text search."""
    for statement in _LEDGER_VIEW_INDEXES:
        db.execute(statement)


# The finding an inspector prepares for a failed item of a draft inspection, reported when it is finished. Until
# this step they were kept as one JSON text per inspection in the settings table; the step moves them here.
_FINDING_DRAFTS = """CREATE TABLE finding_drafts (
        inspection_id TEXT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
        item_id TEXT NOT NULL,
        description TEXT NOT NULL,
        category TEXT NOT NULL,
        severity TEXT NOT NULL,
        deadline_days INTEGER,
        create_finding INTEGER NOT NULL DEFAULT 1 CHECK (create_finding IN (0, 1)),
        updated_at TEXT NOT NULL,
        PRIMARY KEY (inspection_id, item_id)
    )"""
_OLD_DRAFTS_PREFIX = "ui.finding_drafts."


def _finding_drafts(db: Database) -> None:
    """The finding_drafts table, filled from the settings rows that held the drafts before (those rows go)."""
    db.execute(_FINDING_DRAFTS)
    rows = db.execute(
        "SELECT key, value, updated_at FROM settings WHERE substr(key, 1, ?) = ?",
        [len(_OLD_DRAFTS_PREFIX), _OLD_DRAFTS_PREFIX],
    ).fetchall()
    for key, value, updated_at in rows:
        inspection_id = key[len(_OLD_DRAFTS_PREFIX) :]
        exists = db.execute("SELECT 1 FROM inspections WHERE id = ? AND status = 'draft'", [inspection_id]).fetchone()
        drafts = jsonutil.loads(value, {}) if exists else {}
        for item_id, draft in drafts.items() if isinstance(drafts, dict) else ():
            if isinstance(draft, dict):
                db.execute(
                    "INSERT INTO finding_drafts (inspection_id, item_id, description, category, severity, "
                    "deadline_days, create_finding, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [inspection_id, str(item_id), *_old_draft_columns(draft), updated_at],
                )
        db.execute("DELETE FROM settings WHERE key = ?", [key])


def _old_draft_columns(draft: dict[str, Any]) -> list[Any]:
    days = draft.get("deadline_days")
    return [
        str(draft.get("description", "")),
        str(draft.get("category", "")),
        str(draft.get("severity", "general")),
        days if isinstance(days, int) and not isinstance(days, bool) else None,
        int(bool(draft.get("create", True))),
    ]


# The settings table got one key-naming scheme (`area.name`, declared once in inspector.core.settings); the keys of
# older versions are renamed. The old value wins over a new key already present (none should be).
def _settings_keys(db: Database) -> None:
    """Rename the settings keys of older versions to the declared ones."""
    for old, new in RENAMED_SETTINGS.items():
        if db.execute("SELECT 1 FROM settings WHERE key = ?", [old]).fetchone():
            db.execute("DELETE FROM settings WHERE key = ?", [new])
            db.execute("UPDATE settings SET key = ? WHERE key = ?", [new, old])


# Photo evidence: the file's own time (shown as such, never as taken-at), the catalogue codes of the warnings a photo
# was stored with, whether it was stored although incomplete (photos.keep_damaged), and a position whose hemisphere
# the camera did not record (latitude,longitude without sign).
def _photo_evidence(db: Database) -> None:
    """Columns for what the photo pipeline learnt about a picture besides its pixels."""
    db.execute("ALTER TABLE photos ADD COLUMN file_time TEXT")
    db.execute("ALTER TABLE photos ADD COLUMN warnings TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE photos ADD COLUMN damaged INTEGER NOT NULL DEFAULT 0 CHECK (damaged IN (0, 1))")
    db.execute("ALTER TABLE photos ADD COLUMN gps_unsigned TEXT")


# The responsible units' web links (the feed's `unit_link` entries, docs/sync-protocol.md §7.1).
def _unit_links(db: Database) -> None:
    """The table of the units' links, one per finding."""
    db.execute(
        "CREATE TABLE unit_links (finding_id TEXT PRIMARY KEY, url TEXT, expires_at TEXT, "
        "revoked INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL)"
    )


_PEOPLE = """CREATE TABLE people (
        id TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )"""


def _people(db: Database) -> None:
    """The name directory: display names of the user ids the records hold (store/people.py)."""
    db.execute(_PEOPLE)


# Records pulled before their photos: each link a pulled record makes to a photo not yet downloaded waits here (the
# photo_links table holds only photos that are here) until the photo arrives, in the background after the records.
def _photos_wanted(db: Database) -> None:
    """The links of pulled records to photos still to download."""
    db.execute(
        """CREATE TABLE photos_wanted (
            photo_sha256 TEXT NOT NULL CHECK (length(photo_sha256) = 64),
            owner_kind TEXT NOT NULL,
            owner_id TEXT NOT NULL,
            item_id TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (photo_sha256, owner_kind, owner_id, item_id, role)
        )"""
    )
    db.execute("CREATE INDEX idx_photos_wanted_owner ON photos_wanted (owner_kind, owner_id)")


# The clock on every stage: the district's time-limit rows and holiday years (from the sync feed), and 12345 work
# orders taken in from the hotline platform's sheets with the column layouts people mapped.
_CLOCK_AND_HOTLINE: tuple[str, ...] = (
    """CREATE TABLE district_time_limits (
        id TEXT PRIMARY KEY,
        row TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE district_calendar_years (
        year INTEGER PRIMARY KEY,
        days TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE hotline_orders (
        finding_id TEXT PRIMARY KEY REFERENCES findings (id),
        district TEXT NOT NULL CHECK (length(district) = 6),
        order_number TEXT NOT NULL,
        demand TEXT NOT NULL,
        address TEXT NOT NULL,
        reply_deadline TEXT NOT NULL,
        caller TEXT,
        caller_phone TEXT,
        received_at TEXT,
        source_file TEXT NOT NULL,
        source_row INTEGER NOT NULL,
        responded_at TEXT,
        satisfaction TEXT CHECK (satisfaction IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
        callback_at TEXT,
        imported_at TEXT NOT NULL,
        UNIQUE (district, order_number)
    )""",
    # the 只看逾期 filter reads every open finding's state, category and deadline, and when it entered its state,
    # from these two indexes alone
    "CREATE INDEX idx_findings_clock ON findings (state, category, deadline, id)",
    "CREATE INDEX idx_finding_events_clock ON finding_events (finding_id, action, sync_state, at)",
    """CREATE TABLE hotline_layouts (
        signature TEXT PRIMARY KEY,
        headers TEXT NOT NULL,
        mapping TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
)


def _clock_and_hotline(db: Database) -> None:
    """Tables for the district's time limits and calendar years, and for 12345 work orders and sheet layouts."""
    for statement in _CLOCK_AND_HOTLINE:
        db.execute(statement)


# Cases got two kinds (problem 城市管理问题, hazard 安全隐患) and a source (发现方式). A finding made before takes the
# kind its checklist item creates — hazard for the "1+10" lists, problem for the rest and for ad-hoc reports — and
# the source 巡查; a problem's grade leaves its projection (it stays in its events). Reports still waiting in the
# outbox, or in a conflict, get the same kind and source, so the protocol 2 server takes them.
_CASE_KIND_COLUMNS: tuple[str, ...] = (
    "ALTER TABLE findings ADD COLUMN kind TEXT NOT NULL DEFAULT 'hazard'",
    "ALTER TABLE findings ADD COLUMN source TEXT NOT NULL DEFAULT 'patrol'",
    "ALTER TABLE findings ADD COLUMN extension_count INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE inspections ADD COLUMN source TEXT NOT NULL DEFAULT 'patrol'",
    "CREATE INDEX idx_findings_kind ON findings (kind, reported_at, id)",
    "CREATE INDEX idx_findings_source ON findings (source, reported_at, id)",
    "CREATE INDEX idx_findings_escalation ON findings (escalation, reported_at, id)",
)
_REPORTS = ("report", "report_fixed_on_site")


def _case_kinds(db: Database) -> None:
    """Kind and source columns; every finding, pending report and conflict converted (see above)."""
    for statement in _CASE_KIND_COLUMNS:
        db.execute(statement)
    kinds = _item_kinds(db)
    rows = db.execute(
        "SELECT f.id, i.checklist_id, i.checklist_version, f.item_id, f.projection, f.confirmed_projection "
        "FROM findings f LEFT JOIN inspections i ON i.id = f.inspection_id"
    ).fetchall()
    kind_of: dict[str, str] = {}
    for finding_id, checklist_id, version, item_id, projection, confirmed in rows:
        kind = kinds.get((checklist_id, version), {}).get(item_id or "", "problem") if checklist_id else "problem"
        kind_of[finding_id] = kind
        extensions = db.execute(
            "SELECT count(*) FROM finding_events WHERE finding_id = ? AND action = 'extend'", [finding_id]
        ).fetchone()[0]
        db.execute(
            "UPDATE findings SET kind = ?, source = 'patrol', extension_count = ?, "
            "severity = CASE WHEN ? = 'problem' THEN NULL ELSE severity END, "
            "projection = ?, confirmed_projection = ? WHERE id = ?",
            [
                kind,
                extensions,
                kind,
                _kinded(projection, kind, extensions),
                _kinded(confirmed, kind, extensions),
                finding_id,
            ],
        )
    for event_id, finding_id, payload in db.execute(
        "SELECT event_id, finding_id, payload FROM finding_events WHERE action IN (?, ?)", list(_REPORTS)
    ).fetchall():
        body = jsonutil.loads(payload, {})
        if isinstance(body, dict) and "kind" not in body:
            body.update(kind=kind_of.get(finding_id, "problem"), source="patrol")
            db.execute("UPDATE finding_events SET payload = ? WHERE event_id = ?", [jsonutil.dumps(body), event_id])
    for table, key, column in (("outbox", "seq", "payload"), ("conflicts", "id", "local_payload")):
        for row_key, entity_id, text in db.execute(
            f"SELECT {key}, entity_id, {column} FROM {table} WHERE kind = 'ledger.command'"
        ).fetchall():
            command = jsonutil.loads(text, {})
            inner = command.get("payload") if isinstance(command, dict) else None
            if command.get("action") in _REPORTS and isinstance(inner, dict) and "kind" not in inner:
                inner.update(kind=kind_of.get(entity_id, "problem"), source="patrol")
                db.execute(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", [jsonutil.dumps(command), row_key])


def _item_kinds(db: Database) -> dict[tuple[str, str], dict[str, str]]:
    """For each cached checklist version, the kind of case each item's failure creates."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    for checklist_id, version, text in db.execute("SELECT id, version, source_text FROM checklists").fetchall():
        try:
            checklist = parse_checklist(text, f"{checklist_id}@{version}")
        except ChecklistError:
            continue  # unreadable: its findings become problems, the kind of an ad-hoc report
        found[(checklist_id, version)] = {
            item.id: item.on_fail.case_kind for item in checklist.items if item.on_fail is not None
        }
    return found


def _kinded(projection: str | None, kind: str, extensions: int) -> str | None:
    """A stored projection with its kind and source (a problem's grade removed)."""
    if projection is None:
        return None
    data = jsonutil.loads(projection, None)
    if not isinstance(data, dict):
        return projection
    data.setdefault("kind", kind)
    data.setdefault("source", "patrol")
    data.setdefault("extension_count", extensions)
    if kind == "problem":
        data["severity"] = None
    return jsonutil.dumps(data)


def _visit_lists(db: Database) -> None:
    """The lists of each inspection (the "1+10" visit: a general list plus area lists), each with its own score and
    outcome; every existing inspection gets its one list at position 0, and each answer names its list."""
    for statement in (
        """CREATE TABLE inspection_lists (
            inspection_id TEXT NOT NULL REFERENCES inspections (id),
            position INTEGER NOT NULL CHECK (position >= 0),
            checklist_id TEXT NOT NULL,
            checklist_version TEXT NOT NULL,
            score REAL,
            max_score REAL,
            passed INTEGER CHECK (passed IS NULL OR passed IN (0, 1)),
            outcome TEXT,
            PRIMARY KEY (inspection_id, position),
            UNIQUE (inspection_id, checklist_id)
        )""",
        "CREATE INDEX idx_inspection_lists_checklist ON inspection_lists (checklist_id, checklist_version)",
        "INSERT INTO inspection_lists (inspection_id, position, checklist_id, checklist_version, score, max_score, "
        "passed, outcome) SELECT id, 0, checklist_id, checklist_version, score, max_score, passed, outcome "
        "FROM inspections",
        "ALTER TABLE responses ADD COLUMN checklist_id TEXT",
        "UPDATE responses SET checklist_id = (SELECT checklist_id FROM inspections i WHERE i.id = "
        "responses.inspection_id)",
    ):
        db.execute(statement)


# 约谈 records (inspector.store.talks): recorded by a supervisor, synced as `talk.create`, kept from the feed.
_TALKS: tuple[str, ...] = (
    """CREATE TABLE talks (
        id TEXT PRIMARY KEY,
        month TEXT NOT NULL,
        held_on TEXT NOT NULL,
        person TEXT NOT NULL,
        unit TEXT NOT NULL DEFAULT '',
        street TEXT NOT NULL,
        reason TEXT NOT NULL,
        basis TEXT NOT NULL,
        basis_ref TEXT NOT NULL DEFAULT '',
        basis_text TEXT NOT NULL DEFAULT '',
        recorded_by TEXT NOT NULL DEFAULT '',
        recorded_at TEXT NOT NULL,
        sync_state TEXT NOT NULL DEFAULT 'pending' CHECK (sync_state IN ('pending', 'synced', 'conflict'))
    )""",
    "CREATE INDEX idx_talks_month ON talks (month, held_on)",
)


def _talks(db: Database) -> None:
    """The talks table, and the outbox's kind check widened to take `talk.create`."""
    for statement in _TALKS:
        db.execute(statement)
    _outbox_takes(db, "talk.create")


_OUTBOX_KINDS = re.compile(r"CHECK \(kind IN \(([^)]*)\)\)")


def _outbox_takes(db: Database, kind: str) -> None:
    """Widen the outbox's kind check by one change kind: SQLite cannot change a CHECK in place, so the table is made
    again from its own definition and every queued change copied, with its `seq`, the numbering and the indexes."""
    table_sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").fetchone()[0]
    indexes = "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox' AND sql IS NOT NULL"
    index_sql = [row[0] for row in db.execute(indexes)]
    check = _OUTBOX_KINDS.search(table_sql)
    if check is None:
        raise RuntimeError("the outbox has no kind check to widen")
    widened = f"{table_sql[: check.end(1)]}, '{kind}'{table_sql[check.end(1) :]}"
    counter = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
    # a table renamed before is written `CREATE TABLE "outbox"`: the name is matched quoted or not
    db.execute(re.sub(r'^CREATE TABLE\s+("?)outbox\1', "CREATE TABLE outbox_widened", widened, count=1))
    db.execute("INSERT INTO outbox_widened SELECT * FROM outbox")
    db.execute("DROP TABLE outbox")
    db.execute("ALTER TABLE outbox_widened RENAME TO outbox")
    if counter is not None:
        db.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'outbox'", [counter[0]])
        if db.execute("SELECT changes()").fetchone()[0] == 0:
            db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)", [counter[0]])
    for statement in index_sql:
        db.execute(statement)


def _campaigns(db: Database) -> None:
    """The district's campaigns as the feed brings them (protocol §7.2): the whole record as JSON, and its sites."""
    db.execute(
        """CREATE TABLE campaigns (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            starts TEXT NOT NULL,
            ends TEXT NOT NULL,
            version INTEGER NOT NULL,
            data TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE campaign_sites (
            campaign_id TEXT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
            subject_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            PRIMARY KEY (campaign_id, subject_id)
        )"""
    )
    db.execute("CREATE INDEX idx_campaign_sites_subject ON campaign_sites (subject_id)")


# Every inspection records who did it (core.levels.InspectionLevel) and, optionally, under which programme or campaign;
# an inspection made before takes the level its 发现方式 names (巡查 → 街乡自查). Back streets keep their tier
# (精品/优美/达标) with its history; the scoring rules districts publish arrive from the feed (`scoring_rule`).
_LEVEL_STATEMENTS: tuple[str, ...] = (
    "ALTER TABLE inspections ADD COLUMN level TEXT NOT NULL DEFAULT 'street_self'",
    "ALTER TABLE inspections ADD COLUMN programme TEXT",
    "CREATE INDEX idx_inspections_level ON inspections (level, finished_at)",
    "CREATE INDEX idx_inspections_programme ON inspections (programme) WHERE programme IS NOT NULL",
    """CREATE TABLE back_street_tiers (
        id INTEGER PRIMARY KEY,
        subject_id TEXT NOT NULL REFERENCES subjects (id),
        tier TEXT NOT NULL CHECK (tier IN ('premium', 'fine', 'standard')),
        set_at TEXT NOT NULL,
        set_by TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX idx_back_street_tiers_subject ON back_street_tiers (subject_id, set_at)",
    """CREATE TABLE scoring_rules (
        id TEXT NOT NULL,
        version TEXT NOT NULL,
        district TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        published_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (id, version)
    )""",
)


def _levels(db: Database) -> None:
    """The inspection's level and programme columns (old rows' level from their source) and the tier history."""
    for statement in _LEVEL_STATEMENTS:
        db.execute(statement)
    for source in [row[0] for row in db.execute("SELECT DISTINCT source FROM inspections").fetchall()]:
        db.execute("UPDATE inspections SET level = ? WHERE source = ?", [level_from_source(source).value, source])


# The 巡查日志 of 街巷长 and 小巷管家 (inspector.store.unit_cycle), pushed as `patrol.submit`.
_PATROL_LOGS = """CREATE TABLE patrol_logs (
        id TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('street_chief', 'lane_steward')),
        jurisdiction TEXT NOT NULL,
        patroller_id TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT NOT NULL,
        data TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        sync_state TEXT NOT NULL DEFAULT 'pending' CHECK (sync_state IN ('pending', 'synced', 'conflict'))
    )"""


def _unit_cycle(db: Database) -> None:
    """门前三包 as a cycle: the 巡查日志 of 街巷长 and 小巷管家 (a unit's 责任书 lives in its subject's details)."""
    db.execute(_PATROL_LOGS)
    db.execute("CREATE INDEX idx_patrol_logs_started_at ON patrol_logs (started_at)")
    _outbox_takes(db, "patrol.submit")


# The statistics page counts findings by SQL (store/statistics_queries) and the 只看逾期 filter judges each open
# case by its state, deadline, category and kind: a narrow index of the columns they read, so their queries scan
# the index instead of the wide rows with their JSON projections.
def _statistics(db: Database) -> None:
    """The covering indexes of the statistics queries and of the late filter, and the findings' 整改中 spans."""
    db.execute(
        "CREATE INDEX idx_findings_statistics ON findings "
        "(reported_at, state, category, severity, deadline, closed_at, jurisdiction, subject_id)"
    )
    db.execute(
        "CREATE INDEX idx_findings_open_clock ON findings "
        "(state, deadline, category, kind, jurisdiction, subject_id, id)"
    )
    # The spans during which each finding stood 整改中 under one deadline (from its events, in their timeline; with
    # its 街乡 and subject, which a finding keeps from its report), kept
    # by the statistics queries for the findings whose events changed since: triggers mark them.
    db.execute(
        "CREATE TABLE statistics_spans (finding_id TEXT NOT NULL, reached TEXT NOT NULL, until TEXT, "
        "deadline TEXT NOT NULL, street TEXT, subject_id TEXT)"
    )
    db.execute("CREATE INDEX idx_statistics_spans_finding ON statistics_spans (finding_id)")
    db.execute("CREATE TABLE statistics_replayed (finding_id TEXT PRIMARY KEY)")
    db.execute("CREATE TABLE statistics_dirty (finding_id TEXT PRIMARY KEY)")
    for name, timing, row in (("insert", "INSERT", "new"), ("update", "UPDATE", "new"), ("delete", "DELETE", "old")):
        db.execute(
            f"CREATE TRIGGER finding_events_statistics_{name} AFTER {timing} ON finding_events BEGIN "
            f"INSERT OR IGNORE INTO statistics_dirty (finding_id) VALUES ({row}.finding_id); END"
        )
    db.execute("INSERT OR IGNORE INTO statistics_dirty (finding_id) SELECT finding_id FROM finding_events")


# The schema's history, oldest first. Append new steps; never edit or reorder a released one.
STEPS: tuple[MigrationStep, ...] = (
    ("0001_initial", _initial_schema),
    ("0002_ledger_view_indexes", _ledger_view_indexes),
    ("0003_finding_text_index", text_index.create),  # the ledger search's trigram index of the findings' text
    ("0004_finding_drafts", _finding_drafts),
    ("0005_settings_keys", _settings_keys),
    ("0006_photo_evidence", _photo_evidence),
    ("0007_unit_links", _unit_links),
    ("0008_people", _people),
    ("0009_photos_wanted", _photos_wanted),
    ("0010_clock_and_hotline", _clock_and_hotline),
    ("0011_case_kinds", _case_kinds),
    ("0012_visit_lists", _visit_lists),
    ("0013_talks", _talks),
    ("0014_campaigns", _campaigns),
    ("0015_levels", _levels),
    ("0016_unit_cycle", _unit_cycle),
    ("0017_statistics", _statistics),
    ("0018_ledger_number_text_index", text_index.split_numbers),  # the ledger number searched in its own index
)


def build_migrations(steps: Sequence[MigrationStep] = STEPS) -> Migrations:
    """A sqlite-utils migration set holding the given steps in order."""
    migrations = Migrations(MIGRATION_SET)
    for name, function in steps:
        migrations(name=name)(function)
    return migrations
