"""Demo data for trials and benchmarks: subjects in 朝阳区三里屯街道, inspections on the shipped checklists,
generated photos through the real pipeline, and findings in every ledger state built through the core ledger."""

from __future__ import annotations

import random
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from sqlite_utils import Database

from inspector.core import ledger
from inspector.core.checklist import Checklist, Item
from inspector.core.clock import SHANGHAI, local_date, to_iso, utc_now
from inspector.core.ids import new_id
from inspector.core.ledger import Action, Actor, Event, FindingState, Role
from inspector.paths import shipped_checklists_dir
from inspector.store import (
    checklists,
    findings,
    inspections,
    jurisdictions,
    outbox,
    people,
    photos,
    profile,
    server_answers,
    subjects,
)
from inspector.store.database import DataFolder, transaction
from inspector.store.errors import StoreError

DISTRICT = ("110105000000000", "朝阳区")
STREET = ("110105004000000", "三里屯街道")
# The communities of the district server's sample jurisdiction tree, so demo client and demo server agree.
COMMUNITIES = (
    ("110105004032000", "幸福一村社区"),
    ("110105004033000", "幸福二村社区"),
    ("110105004034000", "北三里社区"),
    ("110105004036000", "东三里社区"),
    ("110105004037000", "中三里社区"),
    ("110105004039000", "白家庄西里社区"),
    ("110105004040000", "中纺里社区"),
)
SEED_TIERS = ("fine", "standard", "premium")  # core.tiers.Tier values, one per back street in turn
SEED_LEVELS = ("third_party", "city", "street_self", "city")  # core.levels.InspectionLevel values
BACK_STREETS = (
    ("中纺街", "东起幸福一村西路，西至新东路"),
    ("幸福一村西巷", "幸福一村一巷至三巷"),
    ("幸福二村北巷", "幸福二村北口至工体北路"),
    ("北三里屯南路", "三里屯路至新东路"),
    ("东三里屯二街", "东三里屯一街至东三环北路辅路"),
    ("中三里屯北小街", "中三里屯路至北小街口"),
    ("白家庄西里胡同", "白家庄路至白家庄西里1号楼"),
    ("春秀路北段", "工体北路至新中街"),
)
ROADS = ("三里屯路", "工体北路", "幸福一村西路", "春秀路", "新东路", "东三里屯一街", "中纺街", "白家庄路")
SHOPS = (
    "老北京炸酱面馆",
    "便利蜂便利店",
    "鑫源水果店",
    "丽人美发店",
    "兴隆小吃店",
    "福满楼川菜馆",
    "鲜果时光",
    "宏达五金店",
    "阳光药房",
    "东方烟酒店",
    "惠民早餐店",
    "京味羊蝎子火锅",
    "快印图文",
    "平安洗衣店",
    "一品包子铺",
    "四季鲜花店",
    "好邻居超市",
    "小雅咖啡馆",
    "金海湾海鲜酒楼",
    "三里屯修车铺",
)
SITES = (
    ("福满楼川菜馆后厨（燃气）", "餐饮场所 瓶装液化气"),
    ("幸福一村电动自行车集中充电站", "电动自行车充电设施"),
    ("中纺里小区燃气调压箱", "燃气调压设施"),
    ("北三里屯南路雨污水检查井", "有限空间 检查井"),
    ("工体北路沿街广告牌匾", "户外广告设施"),
    ("东三里屯二街老旧小区改造工地", "限额以下工程"),
    ("三里屯街道垃圾分类驿站", "环卫设施"),
    ("白家庄西里换热站", "供热设施"),
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ("建国", "秀兰", "志强", "丽华", "海燕", "国庆", "红梅", "文博", "晓东", "桂英", "淑珍", "立新")
RESPONSIBLE_UNITS = ("三里屯街道城管科", "三里屯街道平安建设办", "朝阳区城管执法局三里屯执法队", "幸福一村物业公司")
CENTER = (39.9335, 116.4530)  # near 三里屯

INSPECTOR = Actor("demo-slt-inspector", frozenset({Role.INSPECTOR}), frozenset({STREET[0]}))
SUPERVISOR = Actor("demo-slt-supervisor", frozenset({Role.SUPERVISOR}), frozenset({STREET[0]}))
OTHER_SUPERVISOR = Actor("demo-cy-supervisor", frozenset({Role.SUPERVISOR}), frozenset({DISTRICT[0]}))
# The demo actors' names (documents and lists show names, never ids).
DEMO_NAMES = {
    INSPECTOR.user_id: "三里屯巡查员（演示）",
    SUPERVISOR.user_id: "三里屯督查员（演示）",
    OTHER_SUPERVISOR.user_id: "区城管委督查员（演示）",
}

# The life stories of demo findings: each ends in a different place on the ledger.
STORIES: tuple[tuple[str, ...], ...] = (
    ("report",),
    ("report", "reject"),
    ("report", "accept"),
    ("report", "accept", "assign"),
    ("report", "accept", "assign_short"),  # its deadline has passed: overdue
    ("report", "accept", "assign_short", "escalate"),
    ("report", "accept", "assign", "extend"),
    ("report", "accept", "assign", "rectify"),
    ("report", "accept", "assign", "rectify", "verify_pass"),
    ("report", "accept", "assign", "rectify", "verify_fail"),
    ("report", "accept", "assign", "rectify", "verify_pass", "reopen"),
    ("report_fixed_on_site",),
    ("report_fixed_on_site", "verify_pass"),
)


@dataclass
class SeedReport:
    """What was generated."""

    subjects: int = 0
    inspections: int = 0
    photos: int = 0
    findings_by_state: Counter[str] = field(default_factory=Counter)
    pending_changes: int = 0

    def describe(self) -> str:
        states = ", ".join(f"{state} {count}" for state, count in sorted(self.findings_by_state.items()))
        return (
            f"{self.subjects} subjects, {self.inspections} inspections, {self.photos} photos, "
            f"{sum(self.findings_by_state.values())} findings ({states}), "
            f"{self.pending_changes} changes waiting to sync"
        )


class SeedError(StoreError):
    """Demo data cannot be generated (e.g. no shipped checklists)."""

    code = "seed"


def seed_demo_data(
    folder: DataFolder,
    inspections: int = 20,
    photos: int = 30,
    random_seed: int = 2026,
    checklist_dir: Path | None = None,
    now: datetime | None = None,
) -> SeedReport:
    """Fill a data folder with demo records; repeatable for a given random seed (ids and times aside)."""
    db = folder.connect()
    try:
        return _Seeder(folder, db, random.Random(random_seed), now or utc_now()).run(
            inspections, photos, checklist_dir or shipped_checklists_dir()
        )
    finally:
        db.close()


class _Seeder:
    """One seeding run: the random source, the clock and what has been made so far."""

    def __init__(self, folder: DataFolder, db: Database, rnd: random.Random, now: datetime) -> None:
        self.folder, self.db, self.rnd, self.now = folder, db, rnd, now
        self.report = SeedReport()
        self.photo_pool: list[str] = []
        self.photo_turn = 0
        self.ledger_count = 0
        self.server_seq = 0

    def run(self, inspection_count: int, photo_count: int, checklist_dir: Path) -> SeedReport:
        if self.db.execute("SELECT 1 FROM subjects LIMIT 1").fetchone():
            raise SeedError(
                f"数据文件夹 {self.folder.root} 中已有数据，演示数据只写入空的数据文件夹",
                f"the data folder {self.folder.root} already holds records; demo data goes into an empty one",
            )
        lists = self._checklists(checklist_dir)
        self._jurisdictions()
        people.save(self.db, DEMO_NAMES)
        units = self._subjects()
        self.photo_pool = self._photos(photo_count)
        self.report.photos = len(self.photo_pool)
        failed: list[tuple[inspections.Inspection, Item]] = []
        for index in range(inspection_count):
            subject = units[index % len(units)]
            checklist = self._checklist_for(lists, subject.kind, index)
            failed += self._inspection(subject, checklist, inspection_count - index)
        if inspection_count:
            self._findings(failed)
            self._draft(units[0], self._checklist_for(lists, units[0].kind, 1))
        self.report.pending_changes = outbox.count_pending(self.db)
        return self.report

    # -- reference data -------------------------------------------------------------------------------------------

    def _checklists(self, checklist_dir: Path) -> list[Checklist]:
        cached, problems = checklists.cache_shipped(self.db, checklist_dir)
        if not cached:
            detail = "; ".join(problems[:3]) or f"no checklist files in {checklist_dir}"
            raise SeedError(f"找不到可用的检查表：{detail}", f"no usable checklists: {detail}")
        return cached

    def _checklist_for(self, lists: list[Checklist], kind: str, index: int) -> Checklist:
        fitting = [c for c in lists if kind in c.subject_kinds] or lists
        preferred = {"back_street": "beijie-xiaoxiang", "street_front_unit": "menqian-sanbao"}.get(kind)
        if preferred and index % 4 and any(c.id == preferred for c in fitting):
            return next(c for c in fitting if c.id == preferred)
        return fitting[index % len(fitting)]

    def _jurisdictions(self) -> None:
        for code, name in (DISTRICT, STREET, *COMMUNITIES):
            jurisdictions.save(self.db, code, name)

    def _person(self) -> str:
        return self.rnd.choice(SURNAMES) + self.rnd.choice(GIVEN)

    def _phone(self) -> str:
        return f"1{self.rnd.choice('3589')}{self.rnd.randrange(10**9):09d}"

    def _near(self, spread: float = 0.006) -> tuple[float, float]:
        return (
            round(CENTER[0] + self.rnd.uniform(-spread, spread), 6),
            round(CENTER[1] + self.rnd.uniform(-spread, spread), 6),
        )

    def _subjects(self) -> list[subjects.Subject]:
        made: list[subjects.Subject] = []
        for number, (name, extent) in enumerate(BACK_STREETS, 1):
            made.append(
                self._subject(
                    "back_street",
                    name,
                    f"CY-SLT-BS-{number:04d}",
                    f"朝阳区三里屯街道{name}",
                    {"extent": extent, "street_chief": self._person(), "tier": SEED_TIERS[number % len(SEED_TIERS)]},
                )
            )
        for number, name in enumerate(SHOPS, 1):
            address = f"朝阳区{self.rnd.choice(ROADS)}{self.rnd.randrange(1, 120)}号"
            made.append(
                self._subject(
                    "street_front_unit",
                    name,
                    f"CY-SLT-{number:06d}",
                    address,
                    {"zone": f"{self.rnd.choice(ROADS)}沿线"},
                )
            )
        for number, (name, site_type) in enumerate(SITES, 1):
            address = f"朝阳区{self.rnd.choice(ROADS)}{self.rnd.randrange(1, 120)}号"
            made.append(self._subject("site", name, f"CY-SLT-ST-{number:04d}", address, {"site_type": site_type}))
        self.rnd.shuffle(made)
        return made

    def _subject(self, kind: str, name: str, code: str, address: str, extra: dict[str, Any]) -> subjects.Subject:
        subject = subjects.create(
            self.db, kind=kind, name=name, code=code, address=address,
            jurisdiction=self.rnd.choice(COMMUNITIES)[0], location=self._near(),
            responsible_person=self._person(), phone=self._phone(), extra=extra,
        )  # fmt: skip
        # Not acknowledged: the server has never heard of this laptop's subjects, so they wait to be sent like any
        # subject made here, and the first sync (to the `init --demo` server, say) creates them there.
        self.report.subjects += 1
        return subject

    def _acknowledge_all(self, entity_id: str, result: dict[str, Any]) -> None:
        """Demo records made "earlier" count as synced: the server's answer is applied through the outbox."""
        for entry in outbox.list_pending(self.db, limit=10_000):
            if entry.entity_id == entity_id:
                server_answers.acknowledge(self.db, entry.change_id, result)

    # -- photos -------------------------------------------------------------------------------------------------------

    def _photos(self, count: int) -> list[str]:
        scratch = self.folder.tmp_dir / f"seed-{new_id()}"
        scratch.mkdir(parents=True)
        hashes: list[str] = []
        try:
            for number in range(count):
                path = scratch / f"IMG_{number + 1:04d}.JPG"
                taken = self.now - timedelta(days=self.rnd.uniform(0, 60))
                _street_photo(path, self.rnd, number, taken, self._near(0.004))
                hashes.append(photos.import_photo(self.folder, self.db, path).photo.sha256)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return hashes

    def _next_photos(self, count: int) -> list[str]:
        if not self.photo_pool:
            return []
        chosen = []
        for _ in range(min(count, len(self.photo_pool))):
            chosen.append(self.photo_pool[self.photo_turn % len(self.photo_pool)])
            self.photo_turn += 1
        return list(dict.fromkeys(chosen))

    # -- inspections --------------------------------------------------------------------------------------------------

    def _draft(self, subject: subjects.Subject, checklist: Checklist) -> None:
        """An inspection this laptop's user has begun today (three items answered), so 工作台 opens with work on it."""
        draft = inspections.start(
            self.db, checklist_id=checklist.id, checklist_version=checklist.version, subject_id=subject.id,
            inspector_id=profile.user_id(self.db), started_at=to_iso(self.now - timedelta(minutes=20)),
        )  # fmt: skip
        for item in [item for item in checklist.items if item.can_fail][:3]:
            inspections.set_response(self.db, draft.id, item.id, "pass")

    def _inspection(
        self, subject: subjects.Subject, checklist: Checklist, days_ago: int
    ) -> list[tuple[inspections.Inspection, Item]]:
        started = self.now - timedelta(days=days_ago * 2 + self.rnd.uniform(0, 1.5), hours=self.rnd.uniform(0, 3))
        # back streets get the city's checks too (第三方, 市级), so the 降档/复档 rule has something to read
        level = SEED_LEVELS[days_ago % len(SEED_LEVELS)] if subject.kind == "back_street" else "street_self"
        draft = inspections.start(
            self.db, checklist_id=checklist.id, checklist_version=checklist.version, subject_id=subject.id,
            inspector_id=INSPECTOR.user_id, location=self._near(0.003), location_accuracy_m=self.rnd.choice((5, 8, 15)),
            started_at=to_iso(started), level=level,
        )  # fmt: skip
        failed: list[Item] = []
        for item in checklist.items:
            if self._answer(draft.id, item):
                failed.append(item)
        for item in failed[:2]:
            for sha in self._next_photos(1):
                photos.link_photo(self.db, sha, photos.PhotoLink("inspection", draft.id, "evidence", item.id))
        if self.rnd.random() < 0.3:
            inspections.set_notes(
                self.db, draft.id, self.rnd.choice(("雨后检查，路面积水", "商户配合整改", "夜间复查"))
            )
        finished = inspections.finish(
            self.db, draft.id, allow_incomplete=True, finished_at=to_iso(started + timedelta(minutes=25))
        )
        if days_ago > 2:  # the most recent ones still wait to be synced
            self._acknowledge_all(finished.id, {"inspection": {}})
            finished = inspections.get(self.db, finished.id)
        self.report.inspections += 1
        return [(finished, item) for item in failed if item.on_fail and item.on_fail.makes_finding]

    def _answer(self, inspection_id: str, item: Item) -> bool:
        """Answer one item like an inspector would; True when it failed."""
        roll = self.rnd.random()
        if item.response == "text":
            inspections.set_response(
                self.db, inspection_id, item.id, None, value=self.rnd.choice(("已核实", "无异常", "见照片"))
            )
            return False
        if item.response == "number":
            low = item.min if item.min is not None else 0.0
            high = item.max if item.max is not None else low * 2 + 10
            fails = roll < 0.12
            if not fails:
                value = round(self.rnd.uniform(low, high), 1)
            elif item.max is not None:
                value = round(item.max * 1.3 + 1, 1)
            else:
                value = round(low - abs(low) * 0.3 - 1, 1)
            inspections.set_response(self.db, inspection_id, item.id, None, value=value)
            return fails
        if roll < 0.07:
            inspections.set_response(self.db, inspection_id, item.id, "na")
            return False
        if roll < 0.2:
            inspections.set_response(
                self.db, inspection_id, item.id, "fail", occurrences=self.rnd.choice((1, 1, 2, 3)),
                note=self.rnd.choice(("现场已拍照", "责任人不在现场", "已口头告知")),
            )  # fmt: skip
            return True
        inspections.set_response(self.db, inspection_id, item.id, "pass")
        return False

    # -- findings -----------------------------------------------------------------------------------------------------

    def _findings(self, failed: list[tuple[inspections.Inspection, Item]]) -> None:
        """One server-confirmed finding per failed item (at least one per story, so every ledger state shows), then
        a few reports still waiting to be synced. No waiting command builds on a confirmed history: those histories
        exist on this laptop only, and a server would refuse a step on a finding it has never seen."""
        older = [pair for pair in failed if pair[0].sync_state == "synced"]
        recent = [pair for pair in failed if pair[0].sync_state == "pending"]
        sources: list[tuple[inspections.Inspection | None, Item | None]] = list(older)
        sources += [(None, None)] * (len(STORIES) - len(sources))
        for number, (inspection, item) in enumerate(sources):
            story = STORIES[number % len(STORIES)]
            if self.photo_pool or not any(step in ("rectify", "report_fixed_on_site") for step in story):
                self._server_finding(inspection, item, story)
        for inspection, item in recent[:3]:
            self._local_report(inspection, item)
        rows = self.db.execute("SELECT state, count(*) FROM findings GROUP BY state").fetchall()
        self.report.findings_by_state = Counter({state: count for state, count in rows})

    def _report_payload(self, inspection: inspections.Inspection | None, item: Item | None) -> dict[str, Any]:
        subject = subjects.get(self.db, inspection.subject_id) if inspection else None
        on_fail = item.on_fail if item else None
        payload: dict[str, Any] = {
            # what was found, not the standard's own wording (which says what should be)
            "description": f"{self.rnd.choice(('现场发现', '群众反映', '复查发现'))}：未做到“{item.text}”"
            if item
            else "沿街违规设置户外广告",
            "category": on_fail.category if on_fail else "广告牌匾",
            "kind": on_fail.case_kind if on_fail else "problem",
            "source": self.rnd.choice(("patrol", "patrol", "patrol", "self_check", "public_report", "district_check")),
            "severity": on_fail.severity if on_fail else "general",
            "jurisdiction": subject.jurisdiction if subject else self.rnd.choice(COMMUNITIES)[0],
            "photos": self._next_photos(self.rnd.choice((1, 2))),
            "photo_required": bool(on_fail.photo_required) if on_fail else False,
        }
        if subject:
            payload["subject_id"] = subject.id
        else:
            lat, lon = self._near()
            payload["location"] = {"lat": lat, "lon": lon, "address": f"朝阳区{self.rnd.choice(ROADS)}"}
        if inspection and item:
            payload["inspection_id"], payload["item_id"] = inspection.id, item.id
        if not payload["photos"]:
            payload["photo_required"] = False
        return payload

    def _local_report(self, inspection: inspections.Inspection, item: Item) -> None:
        payload = self._report_payload(inspection, item)
        inspection_id, item_id = payload.pop("inspection_id"), payload.pop("item_id")
        findings.record_command(
            self.db, action=Action.REPORT, actor=INSPECTOR, payload=payload, now=self.now,
            inspection_id=inspection_id, item_id=item_id,
        )  # fmt: skip

    def _server_finding(
        self, inspection: inspections.Inspection | None, item: Item | None, story: tuple[str, ...]
    ) -> None:
        """Build a finding's history step by step through the core ledger, as the server would have stored it."""
        state: FindingState | None = None
        at = self.now - timedelta(days=self.rnd.uniform(20, 40))
        fid = new_id()
        for index, step in enumerate(story, 1):
            action, actor, payload, at = self._step(step, state, at, inspection, item)
            decision = ledger.decide(state, action, actor, payload, at, base_state=state.state if state else None)
            if not decision.allowed:
                raise SeedError("演示数据生成失败", f"demo story step {step} refused: {decision.reason}")
            event = Event(new_id(), fid, action, actor.user_id, at, payload, state.state if state else None)
            state = ledger.apply(state, event)
            self.server_seq += 1
            with transaction(self.db):
                findings.on_pulled_event(self.db, {**findings.event_to_json(event), "index": index}, self.server_seq)
        assert state is not None
        self.report.findings_by_state[state.state.value] += 1

    def _step(
        self,
        step: str,
        state: FindingState | None,
        at: datetime,
        inspection: inspections.Inspection | None,
        item: Item | None,
    ) -> tuple[Action, Actor, dict[str, Any], datetime]:
        """The next command of a story, a little later than the previous one."""
        later = at + timedelta(days=self.rnd.uniform(0.5, 3))
        action, actor, payload = self._command(step, state, local_date(later), inspection, item)
        return action, actor, payload, later

    def _command(
        self,
        step: str,
        state: FindingState | None,
        today: date,
        inspection: inspections.Inspection | None,
        item: Item | None,
    ) -> tuple[Action, Actor, dict[str, Any]]:
        match step:
            case "report":
                return Action.REPORT, INSPECTOR, self._report_payload(inspection, item)
            case "report_fixed_on_site":
                return Action.REPORT_FIXED_ON_SITE, INSPECTOR, self._fixed_payload(inspection, item)
            case "reject":
                return Action.REJECT, SUPERVISOR, {"reason": "经核实不属于城市管理职责，已转交相关部门"}
            case "accept":
                return Action.ACCEPT, SUPERVISOR, self._accept_payload(state)
            case "assign" | "assign_short":
                return (
                    Action.ASSIGN,
                    SUPERVISOR,
                    self._assign_payload(state, today, 3 if step == "assign_short" else 60),
                )
            case "extend":
                new_deadline = str(_deadline(state) + timedelta(days=30))
                return Action.EXTEND, SUPERVISOR, {"deadline": new_deadline, "reason": "需协调产权单位，申请延期"}
            case "escalate":
                return (
                    Action.ESCALATE,
                    OTHER_SUPERVISOR,
                    {
                        "level": "district",
                        "unit": "朝阳区城市管理委",
                        "doc_no": f"朝城管督〔{local_date(self.now).year}〕{self.ledger_count}号",
                        "deadline": str(_deadline(state) + timedelta(days=15)),
                        "note": "逾期未整改，区级督办",
                    },
                )
            case "rectify":
                return (
                    Action.RECTIFY,
                    INSPECTOR,
                    {"description": "已按要求整改完毕", "after_photos": self._next_photos(1)},
                )
            case "verify_pass":
                return Action.VERIFY_PASS, SUPERVISOR, {"opinion": "现场核查，整改到位，同意销账"}
            case "verify_fail":
                deadline = str(today + timedelta(days=45))
                return Action.VERIFY_FAIL, SUPERVISOR, {"reason": "整改不彻底，仍有堆物", "deadline": deadline}
            case "reopen":
                deadline = str(today + timedelta(days=50))
                return Action.REOPEN, OTHER_SUPERVISOR, {"reason": "群众再次反映，问题反弹", "deadline": deadline}
        raise SeedError("演示数据生成失败", f"unknown demo story step {step!r}")

    def _fixed_payload(self, inspection: inspections.Inspection | None, item: Item | None) -> dict[str, Any]:
        """A general hazard fixed on the spot: the report plus the after-photo and what was done."""
        payload = self._report_payload(inspection, item)
        payload.update(severity="general", after_photos=self._next_photos(1), rectification="现场责令清理，已恢复原状")
        return payload

    def _accept_payload(self, state: FindingState | None) -> dict[str, Any]:
        self.ledger_count += 1
        graded = state.severity.value if state and state.severity else "general"
        severity = "major" if self.ledger_count % 5 == 0 else graded
        year = local_date(self.now).year
        return {"severity": severity, "ledger_number": f"朝阳-三里屯-{year}-{self.ledger_count:05d}"}

    def _assign_payload(self, state: FindingState | None, today: date, days: int) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "responsible_unit": self.rnd.choice(RESPONSIBLE_UNITS),
            "responsible_person": self._person(),
            "responsible_phone": self._phone(),
            "deadline": str(today + timedelta(days=days)),
            "measures": "限期清理整改，整改后拍照反馈",
        }
        if state is not None and state.kind == ledger.Kind.HAZARD and state.severity == ledger.Severity.MAJOR:
            payload["funds"] = "街道专项经费 2 万元"
            payload["contingency_plan"] = "设置围挡和警示标志，专人值守"
            payload["interim_controls"] = "停止使用，设置警戒线，专人值守"
            payload["governance_plan"] = self._next_photos(1)
            payload["reported_upward_to"] = "朝阳区城市管理委"
            payload["reported_upward_on"] = str(today)
        return payload


def _deadline(state: FindingState | None) -> date:
    if state is None or state.deadline is None:
        raise SeedError("演示数据生成失败", "a demo story extends a finding without a deadline")
    return state.deadline


def _street_photo(path: Path, rnd: random.Random, number: int, taken: datetime, gps: tuple[float, float]) -> None:
    """A drawn street scene (sky, buildings, windows, trees, a hazard) with EXIF time and GPS, sometimes sideways."""
    portrait = rnd.random() < 0.25
    width, height = (1200, 1600) if portrait else (1600, 1200)
    sky = tuple(rnd.randrange(150, 235) for _ in range(3))
    image = Image.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(image)
    ground = int(height * rnd.uniform(0.6, 0.75))
    draw.rectangle([0, ground, width, height], fill=(rnd.randrange(90, 140),) * 3)
    x = 0
    while x < width:
        w, top = rnd.randrange(160, 420), rnd.randrange(int(height * 0.15), ground - 80)
        wall = tuple(rnd.randrange(120, 220) for _ in range(3))
        draw.rectangle([x, top, x + w, ground], fill=wall, outline=(60, 60, 60), width=3)
        for wy in range(top + 30, ground - 40, 70):
            for wx in range(x + 20, x + w - 40, 60):
                draw.rectangle(
                    [wx, wy, wx + 30, wy + 40], fill=(70, 90, 120) if rnd.random() < 0.7 else (240, 220, 150)
                )
        x += w + rnd.randrange(0, 40)
    for _ in range(rnd.randrange(2, 6)):
        tx = rnd.randrange(width)
        draw.rectangle([tx - 8, ground - 120, tx + 8, ground], fill=(90, 60, 30))
        draw.ellipse([tx - 70, ground - 240, tx + 70, ground - 100], fill=(40, rnd.randrange(110, 170), 50))
    hazard = rnd.choice(("pile", "shed", "banner", "bikes"))
    hx, hy = rnd.randrange(100, width - 400), ground + rnd.randrange(20, max(30, height - ground - 220))
    if hazard == "pile":
        draw.polygon([(hx, hy + 180), (hx + 160, hy), (hx + 320, hy + 180)], fill=(120, 90, 60))
    elif hazard == "shed":
        draw.rectangle([hx, hy - 120, hx + 300, hy + 150], fill=(40, 90, 200), outline=(20, 40, 90), width=6)
    elif hazard == "banner":
        draw.rectangle([hx, hy - 300, hx + 360, hy - 220], fill=(200, 30, 30))
    else:
        for bx in range(hx, hx + 300, 70):
            draw.ellipse([bx, hy + 60, bx + 50, hy + 110], outline=(20, 20, 20), width=5)
            draw.line([bx + 25, hy + 85, bx + 60, hy + 40], fill=(20, 20, 20), width=5)
    stamp = taken.astimezone(SHANGHAI)
    label = f"DEMO {number + 1:03d}  {stamp:%Y-%m-%d %H:%M}"
    draw.text((30, height - 70), label, fill=(255, 255, 255), font=ImageFont.load_default(size=40))
    orientation = 1
    if portrait and rnd.random() < 0.5:  # a phone held upright: pixels stored sideways, EXIF says turn them
        image = image.transpose(Image.Transpose.ROTATE_90)
        orientation = 6
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F], exif[0x0110] = "DemoCam", "Inspector Seed"
    exif.get_ifd(0x8769)[0x9003] = stamp.strftime("%Y:%m:%d %H:%M:%S")
    exif.get_ifd(0x8769)[0x9011] = "+08:00"
    gps_ifd = exif.get_ifd(0x8825)
    gps_ifd[1], gps_ifd[2] = "N", _dms(gps[0])
    gps_ifd[3], gps_ifd[4] = "E", _dms(gps[1])
    image.save(path, "JPEG", quality=90, exif=exif.tobytes())


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 3)
