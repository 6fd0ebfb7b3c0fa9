"""Write the summary PDF (and xlsx) of a large synthetic campaign and print the time and pages beside the limit
(a 200-page summary in ≤ 10 s of CPU time: a district office waits for it, it does not leave it running overnight).

Usage: .venv/bin/python bench/campaign_summary.py [OPEN_CASES]   (default: 9000, about 200 pages)

The campaign has the seeds' 2506 sites in 11 checklists across 10 街乡; every site is inspected once and the cases
are spread over the inspections, a quarter of them closed, the rest open (the open ones fill the list that makes
the pages). The figures are computed before the clock starts for the documents; their own time is printed too.
"""

from __future__ import annotations

import random
import re
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from inspector.core.campaigns import Campaign, CaseFact, InspectionFact, Site, headline, progress
from inspector.reports.campaign_summary import SummaryInput, write_pdf, write_xlsx

LIMIT_SECONDS = 10.0
SITES = 2506
LISTS = tuple(f"area-{n:02d}" for n in range(1, 12))
STREETS = [f"110105{n:03d}" for n in range(1, 11)]


def synthetic(open_cases: int) -> tuple[Campaign, list[InspectionFact], list[CaseFact]]:
    rng = random.Random(2023)
    sites = tuple(Site(f"s{n}", f"点位{n}号 朝阳路{n}号院", f"{rng.choice(STREETS)}001000", f"朝阳路{n}号")
                  for n in range(SITES))  # fmt: skip
    campaign = Campaign("bench", "2023年城市环境专项治理", "special", date(2023, 3, 1), date(2023, 11, 30), LISTS,
                        "110105000000000", sites)  # fmt: skip
    inspections = [InspectionFact(f"i{n}", site.subject_id, LISTS[n % len(LISTS)], "2023-06-01T02:00:00Z")
                   for n, site in enumerate(sites)]  # fmt: skip
    total = open_cases * 4 // 3
    cases = [
        CaseFact(f"f{n}", f"i{rng.randrange(SITES)}", rng.choice(("hazard", "problem")),
                 rng.choice(("general", "major")), "closed" if n % 4 == 0 else rng.choice(("registered", "assigned")),
                 category=rng.choice(("燃气安全", "消防通道", "违规广告牌匾", "私搭乱建")),
                 description=f"第{n}处：门前堆物堆料，占用消防通道，需立即清理并落实长效管理措施",
                 ledger_number=f"CY-2023-{n:06d}", deadline="2023-07-15", subject_name=f"点位{n % SITES}号")
        for n in range(total)
    ]  # fmt: skip
    return campaign, inspections, cases


def main() -> int:
    open_cases = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
    campaign, inspections, cases = synthetic(open_cases)
    started = time.perf_counter()
    figures = progress(campaign, inspections, cases)
    print(f"figures: {time.perf_counter() - started:.2f} s for {len(inspections)} inspections, {len(cases)} cases")
    print(headline(campaign, figures))
    data = SummaryInput(campaign, figures, {key: f"第{key[-2:]}方面" for key in LISTS},
                        {street: f"第{street[-3:]}街道" for street in STREETS})  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        pdf, xlsx = Path(folder) / "summary.pdf", Path(folder) / "summary.xlsx"
        wall, cpu = time.perf_counter(), time.process_time()
        write_pdf(data, pdf)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        pages = len(re.findall(rb"/Type /Page\b", pdf.read_bytes()))
        verdict = "within" if cpu <= LIMIT_SECONDS else "OVER"
        print(f"pdf: {pages} pages, {len(figures.open_cases)} open cases, {wall:.1f} s wall, {cpu:.1f} s CPU "
              f"({verdict} the limit of {LIMIT_SECONDS:.0f} s), {pdf.stat().st_size / 1e6:.1f} MB")  # fmt: skip
        started = time.perf_counter()
        write_xlsx(data, xlsx)
        print(f"xlsx: {time.perf_counter() - started:.2f} s, {xlsx.stat().st_size / 1e6:.1f} MB")
    return 0 if cpu <= LIMIT_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
