"""Child process of the crash test: imports photos and saves records in a loop, printing each commit as it returns.

Usage: python crash_child.py DATA_DIR SOURCE_DIR SEED [SLOW_FSYNC_SECONDS]
A slow fsync (a slow USB stick) widens the window in which a temp file exists, for the kill-mid-write case.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from store_samples import COMMUNITY, TEST_CHECKLIST, jpeg_bytes

from inspector.store import checklists, inspections, subjects
from inspector.store.database import open_data_folder
from inspector.store.photos import PhotoLink, import_photo


def slow_down_fsync(seconds: float) -> None:
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        time.sleep(seconds)
        real_fsync(fd)

    os.fsync = slow_fsync


def main() -> None:
    data_dir, source_dir, seed = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    if len(sys.argv) > 4:
        slow_down_fsync(float(sys.argv[4]))
    folder = open_data_folder(data_dir)
    db = folder.connect()
    checklists.cache_text(db, TEST_CHECKLIST, "test-street.yaml", "shipped")
    source_dir.mkdir(parents=True, exist_ok=True)
    print("ready", flush=True)
    for n in range(10_000):
        subject = subjects.create(db, kind="back_street", name=f"测试街巷 {seed}-{n}", jurisdiction=COMMUNITY)
        print(f"subject {subject.id}", flush=True)
        photo_path = source_dir / f"p{seed}-{n}.jpg"
        photo_path.write_bytes(jpeg_bytes((1600, 1200), seed=seed * 100_000 + n, quality=95))
        photo = import_photo(folder, db, photo_path, link=PhotoLink("subject", subject.id)).photo
        print(f"photo {photo.sha256} {subject.id}", flush=True)
        draft = inspections.start(
            db, checklist_id="test-street", checklist_version="1.0", subject_id=subject.id, inspector_id="u"
        )
        for item, result in (("T-01", "fail"), ("T-02", "pass"), ("T-03", None)):
            inspections.set_response(db, draft.id, item, result, value="记录" if result is None else None)
        inspections.finish(db, draft.id)
        print(f"inspection {draft.id}", flush=True)


if __name__ == "__main__":
    main()
