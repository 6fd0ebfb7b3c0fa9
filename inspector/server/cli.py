"""`inspector-server`: set up, run and administer the district server from the command line."""

from __future__ import annotations

import argparse
import csv
import gc
import getpass
import io
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session

from inspector import __version__
from inspector.core.campaigns import KIND_LABELS, CampaignSheetError, percent, progress
from inspector.core.clock import utc_now
from inspector.core.errors import UserError
from inspector.core.rules import RuleError
from inspector.core.time_limits import TimeLimitTableError
from inspector.server import campaigns, checklists, jurisdictions, scoring_rules, subjects, time_limits
from inspector.server.auth import AccountError, create_user, parse_roles, revoke_device, set_active, set_password
from inspector.server.db import Database
from inspector.server.jurisdictions import ImportReport
from inspector.server.ledger_store import verify_ledger
from inspector.server.migrate import schema_problem, upgrade
from inspector.server.models import Device, User, UserJurisdiction
from inspector.server.settings import Settings, SettingsError, load_settings

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"
SAMPLE_JURISDICTIONS = SAMPLE_DIR / "chaoyang-110105.csv"
DEMO_USERS = SAMPLE_DIR / "demo-users.csv"


class CliError(Exception):
    """A failure to report in one line, exit status 1."""


def _out(text: str = "") -> None:
    print(text)


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(config_file=args.config, data_dir=args.data_dir, database_url=args.database_url)


def _database(args: argparse.Namespace) -> Database:
    settings = _settings(args)
    return Database(settings.effective_database_url, settings.db_pool_size, settings.db_prepared_statements)


def read_password(from_stdin: bool, prompt: str = "Password") -> str:
    """A new password from one stdin line, or typed twice at a prompt."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"{prompt}: ")
        if getpass.getpass(f"{prompt} (again): ") != password:
            raise CliError("the two passwords differ")
    if len(password) < 8:
        raise CliError("the password needs at least 8 characters")
    return password


def _print_import(report: ImportReport, what: str) -> int:
    _out(f"{what}: {report.added} added, {report.changed} changed, {report.unchanged} unchanged")
    for error in report.errors:
        print(f"  {error}", file=sys.stderr)
    return 1 if report.errors else 0


# ---- init, serve ----


def cmd_init(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.demo and not settings.dev_mode:
        raise CliError("--demo creates accounts with published passwords: set INSPECTOR_DEV_MODE=1 to use it")
    db = Database(settings.effective_database_url)
    problem = schema_problem(db.engine)
    if problem and "newer" in problem:
        raise CliError(problem)
    if settings.blob_store == "s3":
        from inspector.server.app import blob_store_for

        blob_store_for(settings, db).ensure_bucket()  # type: ignore[attr-defined]
    before, after, published = prepare_database(db)
    _out(f"database {settings.effective_database_url.split('@')[-1]}: schema {before or 'empty'} -> {after}")
    _out(f"checklists: {len(published.published)} published, {len(published.unchanged)} unchanged")
    for problem in published.problems:
        print(f"  {problem}", file=sys.stderr)
    if args.demo:
        load_demo(db, settings)
    with db.read() as session:
        has_users = session.scalar(select(User.id).limit(1)) is not None
    if not has_users:
        if not args.jurisdiction:
            raise CliError("the first admin needs a jurisdiction: pass --jurisdiction CODE (e.g. 110105)")
        password = read_password(args.password_stdin, f"Password for {args.admin}")
        with db.write() as session:
            create_user(session, settings, args.admin, password, ["admin"], args.jurisdiction, args.admin)
        _out(f"created admin {args.admin}")
    db.dispose()
    return 0


def prepare_database(db: Database) -> tuple[str | None, str, checklists.PublishReport]:
    """Migrate to the newest schema and publish the shipped checklists (what `init` does before accounts)."""
    before, after = upgrade(db.engine)
    with db.write() as session:
        published = checklists.publish_folder(session)
    return before, after, published


def load_demo(db: Database, settings: Settings) -> None:
    """Import the sample Chaoyang jurisdictions and the demo accounts (development mode only)."""
    with db.write() as session:
        _print_import(jurisdictions.import_file(session, SAMPLE_JURISDICTIONS), "sample jurisdictions")
        lines = [line for line in DEMO_USERS.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
        created = 0
        for row in csv.DictReader(io.StringIO("\n".join(lines))):
            if session.scalar(select(User.id).where(User.username == row["username"])) is None:
                create_user(
                    session,
                    settings,
                    row["username"],
                    row["password"],
                    row["roles"].split("+"),
                    row["jurisdictions"].split("+"),
                    row["display_name"],
                    is_demo=True,
                )
                created += 1
    written = settings.data_dir / DEMO_USERS.name
    try:  # the README sends people to the data folder for the passwords: they are written there
        written.parent.mkdir(parents=True, exist_ok=True)
        written.write_text(DEMO_USERS.read_text(encoding="utf-8"), encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write the demo passwords to {written}: {exc}") from exc
    _out(f"demo accounts: {created} created (user names and passwords in {written})")


def cmd_demo(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not settings.dev_mode:
        raise CliError("demo accounts have published passwords: set INSPECTOR_DEV_MODE=1 to load them")
    load_demo(_database(args), settings)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from inspector.server.app import StartupRefusedError, create_app

    settings = _settings(args)
    _configure_logging(settings.log_level, settings.log_format)
    try:
        app = create_app(settings)
    except StartupRefusedError as error:
        raise CliError(f"refusing to start: {error}") from None
    _tune_garbage_collector()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
        server_header=False,  # no "server: uvicorn" banner
    )
    return 0


def _tune_garbage_collector() -> None:
    """Keep the cycle collector out of request handling: what start-up built is frozen (never scanned again), and a
    collection waits for 50,000 new container objects instead of 700. A push of 500 changes allocates a few hundred
    thousand short-lived objects, and with the default threshold the collector ran about 16 times per push, taking
    about a tenth of the server's time there. Garbage without cycles is still freed at once by reference counting."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def _configure_logging(level: str, form: str = "json") -> None:
    """Log lines on stderr: one JSON object per line (time, level, logger, message and the request's fields such as
    request_id), or plain text."""
    handler = logging.StreamHandler(sys.stderr)
    if form == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                json_ensure_ascii=False,
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    if not any(isinstance(existing, logging.StreamHandler) for existing in root.handlers):  # as basicConfig: once
        root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("alembic").setLevel(logging.WARNING)  # the health check reads the schema revision
    logging.getLogger("botocore").setLevel(logging.WARNING)


# ---- cleanup, photo store ----


def cmd_cleanup(args: argparse.Namespace) -> int:
    from inspector.server.api.deps import ServerContext
    from inspector.server.app import blob_store_for, remove_stale_uploads

    settings = _settings(args)
    db = _database(args)
    removed = remove_stale_uploads(ServerContext(settings, db, blob_store_for(settings, db)), args.max_age_days * 86400)
    if removed is None:
        _out("cleanup: another process is cleaning up now; nothing done")
    else:
        _out(f"cleanup: {removed} stale partial uploads removed")
    db.dispose()
    return 0


def cmd_blobs_migrate(args: argparse.Namespace) -> int:
    from inspector.server.app import blob_store_for
    from inspector.server.blob_migration import migrate_to_s3

    settings = _settings(args)
    if args.to != "s3" or not settings.s3_bucket:
        raise CliError("name the bucket: set INSPECTOR_S3_BUCKET (and INSPECTOR_S3_ENDPOINT_URL, keys) first")
    db = _database(args)
    target = blob_store_for(settings.model_copy(update={"blob_store": "s3"}), db)
    report = migrate_to_s3(settings.effective_blob_dir, target, db, workers=args.workers)  # type: ignore[arg-type]
    _out(
        f"blobs migrate: {report.copied} copied, {report.already} already there, {report.verified} verified in the "
        f"bucket, {len(report.problems)} problems"
    )
    for problem in report.problems:
        print(f"  {problem}", file=sys.stderr)
    db.dispose()
    return 1 if report.problems else 0


# ---- users and devices ----


def _user_line(session: Session, user: User) -> str:
    codes = session.scalars(select(UserJurisdiction.code).where(UserJurisdiction.user_id == user.id))
    roles = ",".join(sorted(parse_roles(user.roles)))
    state = "active" if user.active else "disabled"
    demo = " demo" if user.is_demo else ""
    return f"{user.username}\t{user.display_name}\t{roles}\t{' '.join(codes)}\t{state}{demo}"


def cmd_user_add(args: argparse.Namespace) -> int:
    settings = _settings(args)
    password = read_password(args.password_stdin, f"Password for {args.username}")
    with Database(settings.effective_database_url).write() as session:
        user = create_user(
            session, settings, args.username, password, args.role, args.jurisdiction, args.display_name or ""
        )
        _out(f"created {_user_line(session, user)}")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    with _database(args).read() as session:
        for user in session.scalars(select(User).order_by(User.username)):
            _out(_user_line(session, user))
    return 0


def _set_active(active: bool) -> Callable[[argparse.Namespace], int]:
    def command(args: argparse.Namespace) -> int:
        with _database(args).write() as session:
            user = set_active(session, args.username, active)
            _out(f"{user.username}: {'enabled' if active else 'disabled (all sessions ended)'}")
        return 0

    return command


def cmd_user_reset_password(args: argparse.Namespace) -> int:
    settings = _settings(args)
    password = read_password(args.password_stdin, f"New password for {args.username}")
    with Database(settings.effective_database_url).write() as session:
        set_password(session, settings, args.username, password)
    _out(f"{args.username}: password replaced, all sessions ended")
    return 0


def cmd_device_list(args: argparse.Namespace) -> int:
    with _database(args).read() as session:
        query = select(Device, User).join(User, User.id == Device.user_id).order_by(User.username, Device.created_at)
        if args.user:
            query = query.where(User.username == args.user)
        for device, user in session.execute(query).all():
            state = f"revoked {device.revoked_at}" if device.revoked_at else f"last seen {device.last_seen_at}"
            _out(f"{device.id}\t{user.username}\t{device.name or '-'}\t{device.device_id}\t{state}")
    return 0


def cmd_device_revoke(args: argparse.Namespace) -> int:
    with _database(args).write() as session:
        device = session.get(Device, args.device)
        if device is None:
            raise CliError(f"no device {args.device} (see `inspector-server device list`)")
        revoke_device(session, device, "cli")
        _out(f"device {device.id} revoked; its next request is refused with token_revoked")
    return 0


def cmd_unit_link_revoke(args: argparse.Namespace) -> int:
    from inspector.server.web.links import revoke

    with _database(args).write() as session:
        ended = revoke(session, args.finding, None, utc_now())
    _out(f"finding {args.finding}: {ended} unit link(s) revoked")
    return 0 if ended else 1


def cmd_street_assign(args: argparse.Namespace) -> int:
    from inspector.core.unit_cycle import PatrolRole
    from inspector.server.streets import AssignmentError, assign

    wanted: dict[PatrolRole, str | None] = {}
    for role, value in ((PatrolRole.STREET_CHIEF, args.chief), (PatrolRole.LANE_STEWARD, args.steward)):
        if value is not None:
            wanted[role] = value or None  # an empty name clears the role
    if not wanted:
        raise CliError("name --chief and/or --steward (an empty value clears the role)")
    with _database(args).write() as session:
        try:
            document = assign(session, args.street, wanted)
        except AssignmentError as error:
            raise CliError(str(error)) from None
    _out(f"street {args.street} ({document['name']}) is at version {document['version']}")
    return 0


def cmd_self_check_link(args: argparse.Namespace) -> int:
    from inspector.server.models import Subject
    from inspector.server.web import self_check

    with _database(args).write() as session:
        subject = session.get(Subject, args.subject)
        if subject is None or not self_check.is_street_front(subject):
            raise CliError(f"no street-front unit {args.subject}")
        if args.action == "revoke":
            _out(f"unit {args.subject}: {self_check.revoke(session, subject.id, None, utc_now())} link(s) revoked")
            return 0
        token = self_check.issue(session, subject.id, None, utc_now())
    _out(f"{_settings(args).public_base_url.rstrip('/')}/k/{token}")
    return 0


# ---- data ----


def _import(module: Any, what: str) -> Callable[[argparse.Namespace], int]:
    def command(args: argparse.Namespace) -> int:
        path = Path(args.file)
        if not path.is_file():
            raise CliError(f"{path}: no such file")
        with _database(args).write() as session:
            try:
                report = module.import_file(session, path)
            except ValueError as error:
                raise CliError(str(error)) from None
            return _print_import(report, what)

    return command


def cmd_checklists_publish(args: argparse.Namespace) -> int:
    with _database(args).write() as session:
        report = checklists.publish_folder(session, Path(args.folder) if args.folder else None)
    _out(
        f"checklists: {len(report.published)} published ({', '.join(report.published) or '-'}), "
        f"{len(report.unchanged)} unchanged"
    )
    for problem in report.problems:
        print(f"  {problem}", file=sys.stderr)
    return 1 if report.problems else 0


def cmd_ledger_verify(args: argparse.Namespace) -> int:
    with _database(args).read() as session:
        report = verify_ledger(session)
    for problem in report.problems:
        _out(f"PROBLEM {problem}")
    _out(f"{report.findings} findings, {report.events} events, {len(report.problems)} problems")
    _out(f"ledger root {report.root}")
    if args.root and args.root != report.root:
        _out(f"PROBLEM the ledger root differs from the recorded {args.root}")
        return 1
    return 0 if report.ok else 1


def cmd_rules_publish(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CliError(f"{args.file}:1: cannot read the rule file: {error}") from None
    try:
        with _database(args).write() as session:
            rule, new = scoring_rules.publish(session, text, args.file, by="cli")
    except (RuleError, scoring_rules.RulePublishError) as error:
        raise CliError(str(error)) from None
    _out(f"rule {rule.key} for district {rule.district} " + ("published" if new else "was already published"))
    return 0


def cmd_rules_list(args: argparse.Namespace) -> int:
    with _database(args).read() as session:
        rows = scoring_rules.list_rules(session)
        lines = [f"{row.id}@{row.version}  {row.district}  {row.published_at}  {row.title}" for row in rows]
    for line in lines:
        _out(line)
    _out(f"{len(lines)} published rule(s)")
    return 0


def cmd_time_limits_set(args: argparse.Namespace) -> int:
    row: dict[str, Any] = {
        "id": args.id or f"district-{args.kind.replace('*', 'any')}-{args.stage}-{_slug(args.category)}",
        "kind": args.kind,
        "category": args.category,
        "stage": args.stage,
        "amount": args.amount,
        "unit": args.unit,
    }
    row.update({key: value for key, value in (("note", args.note), ("source", args.source)) if value})
    if args.off:
        row["applied"] = False
    try:
        with _database(args).write() as session:
            kept = time_limits.set_limit(session, row, by="cli")
    except TimeLimitTableError as error:
        raise CliError(str(error)) from None
    _out(f"time limit {kept['id']}: {kept['kind']}/{kept['category']}/{kept['stage']} {kept['amount']:g} {kept['unit']}"
         + (" (switched off)" if args.off else ""))
    return 0


def _slug(text: str) -> str:
    if text == "*":
        return "any"
    return "".join(f"{ord(char):x}" if not char.isascii() else char for char in text.lower() if char.isalnum())[:40]


def cmd_time_limits_list(args: argparse.Namespace) -> int:
    with _database(args).read() as session:
        rows = time_limits.list_limits(session)
        years = time_limits.list_years(session)
    for row in rows:
        state = "" if row.get("applied", True) else " off"
        _out(f"{row['id']}\t{row['kind']}\t{row['category']}\t{row['stage']}\t{row['amount']:g} {row['unit']}{state}")
    for year in years:
        _out(f"calendar {year['year']}: {len(year['holidays'])} holidays, {len(year['workdays'])} working weekend days")
    _out(f"{len(rows)} district time limits, {len(years)} calendar years")
    return 0


def cmd_time_limits_remove(args: argparse.Namespace) -> int:
    with _database(args).write() as session:
        removed = time_limits.remove_limit(session, args.id)
    if not removed:
        raise CliError(f"no district time limit {args.id}")
    _out(f"time limit {args.id} removed; the shipped row applies again")
    return 0


def cmd_calendar_set_year(args: argparse.Namespace) -> int:
    try:
        data = json.loads(Path(args.file).read_text(encoding="utf-8"))
        holidays, workdays = dict(data.get("holidays") or {}), dict(data.get("workdays") or {})
    except (OSError, ValueError, AttributeError, TypeError) as error:
        raise CliError(f"{args.file}: {error}") from None
    try:
        with _database(args).write() as session:
            kept = time_limits.set_year(session, args.year, holidays, workdays, by="cli")
    except TimeLimitTableError as error:
        raise CliError(str(error)) from None
    _out(f"calendar {args.year}: {len(kept['holidays'])} holidays, {len(kept['workdays'])} working weekend days")
    return 0


def cmd_campaigns_create(args: argparse.Namespace) -> int:
    with _database(args).write() as session:
        made = campaigns.create(session, args.name, args.kind, args.date_from, args.date_to, args.checklist,
                                args.jurisdiction, by="cli", campaign_id=args.id)  # fmt: skip
    _out(f"campaign {made.id}: {made.name} ({made.kind_label}, {made.starts} – {made.ends})")
    return 0


def cmd_campaigns_import_sites(args: argparse.Namespace) -> int:
    try:
        with _database(args).write() as session:
            result = campaigns.import_sites(session, args.campaign, Path(args.file), by="cli")
    except CampaignSheetError as error:
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        raise CliError(f"{args.file}: {len(error.problems)} bad row(s), nothing imported") from None
    _out(f"sites: {result.rows} rows, {result.matched} matched, {result.created} subjects created, "
         f"{result.added} added, {result.already} already in the campaign")
    return 0


def cmd_campaigns_assign(args: argparse.Namespace) -> int:
    with _database(args).write() as session:
        made = campaigns.assign(session, args.campaign, args.usernames)
    _out(f"campaign {made.id}: inspectors {', '.join(made.inspectors) or '(none)'}")
    return 0


def cmd_campaigns_list(args: argparse.Namespace) -> int:
    with _database(args).read() as session:
        rows = campaigns.list_all(session)
    for row, sites in rows:
        _out(f"{row.id}\t{row.name}\t{KIND_LABELS.get(row.kind, row.kind)}\t{row.starts_on}..{row.ends_on}\t"
             f"{sites} sites")
    _out(f"{len(rows)} campaigns")
    return 0


def cmd_campaigns_summary(args: argparse.Namespace) -> int:
    from inspector.reports.campaign_summary import SummaryInput, write_pdf, write_xlsx

    with _database(args).read() as session:
        campaign = campaigns.load(session, args.campaign)
        inspections, cases = campaigns.facts(session, campaign)
        data = SummaryInput(campaign, progress(campaign, inspections, cases),
                            campaigns.checklist_titles(session, campaign.checklists), campaigns.street_names(session))
    total = data.progress.total
    _out(f"{campaign.name}: {total.checked}/{total.sites} sites checked, {total.found} found, {total.fixed} fixed, "
         f"rate {percent(total.rate)}")
    if args.out:
        out = Path(args.out)
        (write_xlsx if out.suffix.lower() == ".xlsx" else write_pdf)(data, out)
        _out(f"summary written to {out}")
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def cmd_ledger_export(args: argparse.Namespace) -> int:
    from inspector.reports.errors import ReportError
    from inspector.server.ledger_export import ExportScope, export_ledger, export_ledger_separately, heading_for

    try:
        scope = ExportScope(args.jurisdiction, args.date_from, args.date_to)
    except ValueError as error:
        raise CliError(str(error)) from None
    out = Path(args.out)
    with _database(args).read() as session:
        heading = heading_for(session, scope, args.unit, args.maker or "")
        try:
            if args.separate:
                targets = {kind: out.with_name(f"{out.stem}-{name}{out.suffix or '.xlsx'}")
                           for kind, name in (("problem", "问题台账"), ("hazard", "隐患排查治理台账"))}  # fmt: skip
                results = export_ledger_separately(session, targets, scope, heading=heading)
            else:
                results = {"": export_ledger(session, out, scope, heading=heading)}
        except ReportError as error:
            raise CliError(str(error)) from None
    for kind, result in results.items():
        written = targets[kind] if kind else out
        kinds = "，".join(f"{LEDGER_LABELS[k]} {n}" for k, n in result.by_kind.items())
        _out(f"{result.rows} findings ({result.overdue} overdue; {kinds}) written to {written}")
        for street, counts in result.by_street.items():
            _out(f"  {street}\t{sum(counts[state] for state in counts if state != 'overdue')}")
    return 0


LEDGER_LABELS = {"problem": "问题", "hazard": "隐患"}


# ---- parser ----


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="inspector-server", description="Inspector district server")
    parser.add_argument("--version", action="version", version=f"inspector-server {__version__}")
    parser.add_argument("--config", metavar="FILE", help="TOML settings file (default: $INSPECTOR_CONFIG)")
    parser.add_argument("--data-dir", metavar="DIR", help="data folder (default: $INSPECTOR_DATA_DIR)")
    parser.add_argument("--database-url", metavar="URL", help="database (default: $INSPECTOR_DATABASE_URL)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    init = commands.add_parser("init", help="create or migrate the database, publish checklists, create the admin")
    init.add_argument("--admin", default="admin", help="name of the first admin (default: admin)")
    init.add_argument("--jurisdiction", action="append", default=[], metavar="CODE", help="the admin's scope")
    init.add_argument("--password-stdin", action="store_true", help="read the admin password from stdin")
    init.add_argument("--demo", action="store_true", help="also load the sample district and demo accounts")
    init.set_defaults(handler=cmd_init)

    serve = commands.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.set_defaults(handler=cmd_serve)

    cleanup = commands.add_parser("cleanup", help="remove resumable uploads untouched for a week (run from a timer)")
    cleanup.add_argument("--max-age-days", type=float, default=7.0, help="how old a partial upload must be (days)")
    cleanup.set_defaults(handler=cmd_cleanup)

    blobs = commands.add_parser("blobs", help="the photo store").add_subparsers(dest="action", required=True)
    migrate = blobs.add_parser("migrate", help="copy the photo folder into the district's bucket, verifying each hash")
    migrate.add_argument("--to", choices=["s3"], required=True)
    migrate.add_argument("--workers", type=int, default=8, help="objects copied at once (default 8)")
    migrate.set_defaults(handler=cmd_blobs_migrate)

    demo = commands.add_parser("demo", help="load the sample district and demo accounts (development mode)")
    demo.set_defaults(handler=cmd_demo)

    user = commands.add_parser("user", help="manage accounts").add_subparsers(dest="action", required=True)
    add = user.add_parser("add", help="add a user")
    add.add_argument("username")
    add.add_argument("--role", action="append", required=True, choices=["inspector", "supervisor", "admin", "leader"])
    add.add_argument("--jurisdiction", action="append", required=True, metavar="CODE")
    add.add_argument("--display-name")
    add.add_argument("--password-stdin", action="store_true")
    add.set_defaults(handler=cmd_user_add)
    user.add_parser("list", help="list users").set_defaults(handler=cmd_user_list)
    for name, active in (("disable", False), ("enable", True)):
        sub = user.add_parser(name, help=f"{name} a user")
        sub.add_argument("username")
        sub.set_defaults(handler=_set_active(active))
    reset = user.add_parser("reset-password", help="set a new password and end all the user's sessions")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true")
    reset.set_defaults(handler=cmd_user_reset_password)

    device = commands.add_parser("device", help="manage devices").add_subparsers(dest="action", required=True)
    device_list = device.add_parser("list", help="list devices")
    device_list.add_argument("--user")
    device_list.set_defaults(handler=cmd_device_list)
    revoke = device.add_parser("revoke", help="revoke a device (lost laptop)")
    revoke.add_argument("device", help="device id from `device list`")
    revoke.set_defaults(handler=cmd_device_revoke)

    for name, module in (("jurisdictions", jurisdictions), ("subjects", subjects)):
        group = commands.add_parser(name, help=f"manage {name}").add_subparsers(dest="action", required=True)
        importer = group.add_parser("import", help=f"import {name} from a CSV or XLSX file")
        importer.add_argument("file")
        importer.set_defaults(handler=_import(module, name))

    lists = commands.add_parser("checklists", help="publish checklists").add_subparsers(dest="action", required=True)
    publish = lists.add_parser("publish", help="publish the checklist files of a folder (default: the shipped ones)")
    publish.add_argument("folder", nargs="?")
    publish.set_defaults(handler=cmd_checklists_publish)

    rule_group = commands.add_parser("rules", help="the district's scoring rules")
    rules = rule_group.add_subparsers(dest="action", required=True)
    publish_rule = rules.add_parser("publish", help="validate a rule file and publish it to the laptops")
    publish_rule.add_argument("file")
    publish_rule.set_defaults(handler=cmd_rules_publish)
    rules.add_parser("list", help="the published rules, newest first").set_defaults(handler=cmd_rules_list)

    ledger = commands.add_parser("ledger", help="the ledger").add_subparsers(dest="action", required=True)
    verify = ledger.add_parser("verify", help="check every event's hash chain; print the ledger root")
    verify.add_argument("--root", help="a ledger root recorded earlier, to compare with")
    verify.set_defaults(handler=cmd_ledger_verify)
    export = ledger.add_parser("export", help="write the ledgers (问题台账, 隐患排查治理台账) as an .xlsx workbook")
    export.add_argument("--format", choices=["xlsx"], default="xlsx", help="file format (default: xlsx)")
    export.add_argument("--jurisdiction", metavar="CODE", help="only findings inside this jurisdiction")
    export.add_argument("--from", dest="date_from", type=_day, metavar="DATE", help="reported on or after (Beijing)")
    export.add_argument("--to", dest="date_to", type=_day, metavar="DATE", help="reported on or before (Beijing)")
    export.add_argument("--out", required=True, metavar="FILE", help="the workbook to write")
    export.add_argument("--separate", action="store_true",
                        help="two files beside FILE instead: FILE-问题台账.xlsx and FILE-隐患排查治理台账.xlsx")
    export.add_argument("--unit", help="填报单位 in the title block (default: the name of --jurisdiction)")
    export.add_argument("--maker", help="制表人 in the title block (default: left blank to sign)")
    export.set_defaults(handler=cmd_ledger_export)
    unit_link = commands.add_parser("unit-link", help="the responsible units' case links (/u/)")
    unit_actions = unit_link.add_subparsers(dest="action", required=True)
    unit_revoke = unit_actions.add_parser("revoke", help="revoke the live links of a finding")
    unit_revoke.add_argument("finding", help="the finding id")
    unit_revoke.set_defaults(handler=cmd_unit_link_revoke)

    street = commands.add_parser("street", help="who walks a back street (街巷长, 小巷管家)")
    street_actions = street.add_subparsers(dest="action", required=True)
    street_assign = street_actions.add_parser("assign", help="assign users to a back street")
    street_assign.add_argument("street", help="the back street's subject id")
    street_assign.add_argument("--chief", metavar="USERNAME", help="the 街巷长 (an empty value clears it)")
    street_assign.add_argument("--steward", metavar="USERNAME", help="the 小巷管家 (an empty value clears it)")
    street_assign.set_defaults(handler=cmd_street_assign)
    self_link = commands.add_parser("self-check-link", help="a street-front unit's standing 自查 link (/k/)")
    self_actions = self_link.add_subparsers(dest="action", required=True)
    for name, text in (("issue", "issue a new link (ends the old one) and print it"), ("revoke", "end the links")):
        action = self_actions.add_parser(name, help=text)
        action.add_argument("subject", help="the unit's subject id")
        action.set_defaults(handler=cmd_self_check_link)

    limits = commands.add_parser("time-limits", help="the district's time limits per stage")
    limit_actions = limits.add_subparsers(dest="action", required=True)
    set_limit = limit_actions.add_parser("set", help="add or replace a district time-limit row")
    set_limit.add_argument("--kind", choices=["problem", "hazard", "*"], default="*")
    set_limit.add_argument("--category", default="*", help="a case category, or * for the kind's default")
    set_limit.add_argument("--stage", required=True, choices=["accept", "register", "dispatch", "dispose", "verify"])
    set_limit.add_argument("--amount", required=True, type=float)
    set_limit.add_argument("--unit", required=True, choices=["working_hours", "working_days"])
    set_limit.add_argument("--id", help="the row id (default: made from kind, stage and category)")
    set_limit.add_argument("--note", help="where the number comes from")
    set_limit.add_argument("--source", help="a URL of the rule")
    set_limit.add_argument("--off", action="store_true", help="only switch the shipped row off")
    set_limit.set_defaults(handler=cmd_time_limits_set)
    limit_actions.add_parser("list", help="list the district's rows and calendar years").set_defaults(
        handler=cmd_time_limits_list
    )
    remove_limit = limit_actions.add_parser("remove", help="remove a district row")
    remove_limit.add_argument("id")
    remove_limit.set_defaults(handler=cmd_time_limits_remove)

    calendar = commands.add_parser("calendar", help="the district's calendar years (holidays and 调休)")
    calendar_actions = calendar.add_subparsers(dest="action", required=True)
    set_year = calendar_actions.add_parser("set-year", help="supply one year's holidays and working weekend days")
    set_year.add_argument("year", type=int)
    set_year.add_argument("file", help='JSON: {"holidays": {"YYYY-MM-DD": "name"}, "workdays": {...}}')
    set_year.set_defaults(handler=cmd_calendar_set_year)

    camp = commands.add_parser("campaigns", help="campaigns (专项治理, 大排查大整治, seasonal tasks)")
    camp_actions = camp.add_subparsers(dest="action", required=True)
    create = camp_actions.add_parser("create", help="make a campaign")
    create.add_argument("--name", required=True)
    create.add_argument("--kind", required=True, choices=list(KIND_LABELS))
    create.add_argument("--from", dest="date_from", required=True, type=_day, metavar="DATE", help="first day")
    create.add_argument("--to", dest="date_to", required=True, type=_day, metavar="DATE", help="last day")
    create.add_argument("--checklist", required=True, action="append", metavar="ID", help="a checklist id (repeat)")
    create.add_argument("--jurisdiction", required=True, metavar="CODE", help="the district or 街乡 running it")
    create.add_argument("--id", help="the campaign's id (default: a new one)")
    create.set_defaults(handler=cmd_campaigns_create)
    sites = camp_actions.add_parser("import-sites", help="add the sites of a sheet (the campaign-sites.xlsx template)")
    sites.add_argument("campaign")
    sites.add_argument("file")
    sites.set_defaults(handler=cmd_campaigns_import_sites)
    assign = camp_actions.add_parser("assign", help="set the campaign's inspectors")
    assign.add_argument("campaign")
    assign.add_argument("usernames", nargs="+")
    assign.set_defaults(handler=cmd_campaigns_assign)
    camp_actions.add_parser("list", help="list the campaigns").set_defaults(handler=cmd_campaigns_list)
    summary = camp_actions.add_parser("summary", help="a campaign's figures; with --out its summary (.pdf or .xlsx)")
    summary.add_argument("campaign")
    summary.add_argument("--out", metavar="FILE")
    summary.set_defaults(handler=cmd_campaigns_summary)
    return parser


def _url_of(args: argparse.Namespace) -> str:
    try:
        return _settings(args).effective_database_url
    except SettingsError:
        return ""


def database_problem(error: DBAPIError, url: str) -> str:
    """One line on a database that cannot be used, saying what to fix (the URL's password hidden)."""
    reason = str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)
    shown = make_url(url).render_as_string(hide_password=True) if url else "the database"
    if url.startswith("sqlite"):
        path = make_url(url).database or ""
        if "not a database" in reason or "malformed" in reason:
            return (
                f"{path} is not a usable SQLite database ({reason}): move it away and run `inspector-server init`, "
                "or restore it from a backup, or set INSPECTOR_DATABASE_URL to another database"
            )
        if "readonly" in reason or "read-only" in reason or "unable to open" in reason:
            return (
                f"cannot write {path} ({reason}): make the file and its folder writable by the server's user, "
                "or set INSPECTOR_DATA_DIR to a writable folder"
            )
    return f"cannot use {shown}: {reason}"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except (CliError, SettingsError, AccountError, UserError) as error:
        print(f"inspector-server: {error}", file=sys.stderr)
        return 1
    except DBAPIError as error:
        print(f"inspector-server: {database_problem(error, _url_of(args))}", file=sys.stderr)
        return 1
    except ArgumentError as error:
        print(f"inspector-server: setting INSPECTOR_DATABASE_URL: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        print(f"inspector-server: cannot use{where}: {error.strerror or error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
