"""Backup and restore through real files and the CLI: round trip, verification, refusals, damaged backups."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlite_utils import Database
from store_samples import COMMUNITY, jpeg_bytes

from inspector.__main__ import main
from inspector.store import backup, photos, settings, subjects
from inspector.store.database import DataFolder, open_data_folder
from inspector.store.errors import NewerDatabaseError
from inspector.store.files import sha256_file
from inspector.store.photos import PhotoLink, PhotoSettings


@pytest.fixture
def filled(folder: DataFolder, db: Database, tmp_path: Path) -> DataFolder:
    subject = subjects.create(db, kind="site", name="幸福餐厅后厨", jurisdiction=COMMUNITY)
    for seed in range(3):
        path = tmp_path / f"s{seed}.jpg"
        path.write_bytes(jpeg_bytes((300, 200), seed=seed))
        photos.import_photo(
            folder, db, path, link=PhotoLink("subject", subject.id), settings=PhotoSettings(keep_original=seed == 0)
        )
    return folder


def test_a_backup_restores_into_an_empty_folder_with_every_photo_verified(filled: DataFolder, tmp_path: Path) -> None:
    summary = backup.create_backup(filled, tmp_path / "out" / "backup.zip")
    assert summary.counts["subjects"] == 1 and summary.counts["photos"] == 3 and summary.counts["outbox"] == 1
    manifest = backup.read_manifest(summary.path)
    assert manifest["schema_version"] == summary.schema_version and manifest["app_version"]
    names = {entry["path"] for entry in manifest["files"]}
    assert "inspector.db" in names
    assert sum(name.startswith("photos/") for name in names) == 3
    assert sum(name.startswith("originals/") for name in names) == 1
    assert not (tmp_path / "out" / "backup.zip.part").exists()
    assert list(filled.tmp_dir.iterdir()) == []

    restored = backup.restore_backup(summary.path, tmp_path / "restored")
    assert restored.replaced_into is None and restored.files == len(names)
    folder = DataFolder(restored.target)
    db = folder.connect()
    original = filled.connect()
    try:
        assert settings.device_id(db) == settings.device_id(original)
        assert [s.name for s in subjects.list_subjects(db)] == ["幸福餐厅后厨"]
        assert photos.check_photo_files(folder, db) == []
        for (sha,) in db.execute("SELECT sha256 FROM photos"):
            assert sha256_file(folder.photo_path(sha)) == sha and folder.thumb_path(sha).is_file()
    finally:
        db.close()
        original.close()


def test_a_fresh_unused_data_folder_counts_as_empty(filled: DataFolder, tmp_path: Path) -> None:
    archive = backup.create_backup(filled, tmp_path / "b.zip").path
    fresh = open_data_folder(tmp_path / "fresh")  # the app was started once, nothing recorded
    backup.restore_backup(archive, fresh.root)
    db = fresh.connect()
    assert db.execute("SELECT count(*) FROM photos").fetchone()[0] == 3
    db.close()


def test_a_folder_with_data_is_refused_unless_forced_and_then_kept_aside(filled: DataFolder, tmp_path: Path) -> None:
    archive = backup.create_backup(filled, tmp_path / "b.zip").path
    other = open_data_folder(tmp_path / "other")
    db = other.connect()
    subjects.create(db, kind="back_street", name="另一条街", jurisdiction=COMMUNITY)
    db.close()
    with pytest.raises(backup.RestoreTargetNotEmptyError) as caught:
        backup.restore_backup(archive, other.root)
    assert "--force" in str(caught.value) and "已有数据" in str(caught.value)
    db = other.connect()
    assert [s.name for s in subjects.list_subjects(db)] == ["另一条街"]  # untouched
    db.close()

    result = backup.restore_backup(archive, other.root, force=True)
    assert result.replaced_into is not None
    db = other.connect()
    assert [s.name for s in subjects.list_subjects(db)] == ["幸福餐厅后厨"]
    db.close()
    kept = Database(result.replaced_into / "inspector.db")
    assert [row["name"] for row in kept.query("SELECT name FROM subjects")] == ["另一条街"]
    kept.close()


def rewrite_zip(source: Path, target: Path, change: dict[str, bytes | None]) -> Path:
    """Copy a zip, replacing (bytes) or dropping (None) the named members."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            if item.filename in change:
                if change[item.filename] is not None:
                    new.writestr(item.filename, change[item.filename])
            else:
                new.writestr(item, old.read(item.filename))
    return target


def test_damaged_backups_give_clear_errors_and_change_nothing(filled: DataFolder, tmp_path: Path) -> None:
    archive = backup.create_backup(filled, tmp_path / "b.zip").path
    manifest = backup.read_manifest(archive)
    photo_name = next(e["path"] for e in manifest["files"] if e["path"].startswith("photos/"))
    cases = {
        "truncated.zip": archive.read_bytes()[: archive.stat().st_size // 2],
        "not-a-zip.zip": b"hello, this is text",
        "no-manifest.zip": rewrite_zip(archive, tmp_path / "x1.zip", {"manifest.json": None}).read_bytes(),
        "bad-manifest.zip": rewrite_zip(archive, tmp_path / "x2.zip", {"manifest.json": b"{nope"}).read_bytes(),
        "swapped-photo.zip": rewrite_zip(archive, tmp_path / "x3.zip", {photo_name: jpeg_bytes(seed=9)}).read_bytes(),
        "missing-photo.zip": rewrite_zip(archive, tmp_path / "x4.zip", {photo_name: None}).read_bytes(),
        "bad-db.zip": rewrite_zip(
            archive, tmp_path / "x5.zip", {"inspector.db": b"SQLite format 3\x00junk"}
        ).read_bytes(),
        "other-zip.zip": rewrite_zip(
            archive, tmp_path / "x6.zip", {"manifest.json": json.dumps({"format": "something"}).encode()}
        ).read_bytes(),
    }
    for name, content in cases.items():
        damaged = tmp_path / name
        damaged.write_bytes(content)
        target = tmp_path / f"target-{name}"
        with pytest.raises(backup.BackupError) as caught:
            backup.restore_backup(damaged, target)
        assert name in str(caught.value) and " / " in str(caught.value)
        leftovers = [p for p in target.rglob("*") if p.is_file()] if target.exists() else []
        assert leftovers == [], name


def test_a_flipped_byte_in_a_stored_photo_is_caught(filled: DataFolder, tmp_path: Path) -> None:
    archive = backup.create_backup(filled, tmp_path / "b.zip").path
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = next(i for i in zf.infolist() if i.filename.startswith("photos/"))
    offset = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 100
    data[offset] ^= 0xFF
    archive.write_bytes(bytes(data))
    with pytest.raises(backup.BackupError, match=r"damaged|SHA-256"):
        backup.restore_backup(archive, tmp_path / "t")


def test_a_backup_from_a_newer_schema_is_refused(filled: DataFolder, tmp_path: Path) -> None:
    archive = backup.create_backup(filled, tmp_path / "b.zip").path
    manifest = backup.read_manifest(archive)
    manifest["schema_version"] = 99
    newer = rewrite_zip(archive, tmp_path / "n.zip", {"manifest.json": json.dumps(manifest).encode()})
    with pytest.raises(NewerDatabaseError):
        backup.restore_backup(newer, tmp_path / "t")


def test_the_cli_backs_up_and_restores(filled: DataFolder, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "cli.zip"
    assert main(["--data-dir", str(filled.root), "backup", "--out", str(out)]) == 0
    assert "backup written" in capsys.readouterr().out
    target = tmp_path / "cli-restored"
    assert main(["--data-dir", str(target), "restore", str(out)]) == 0
    assert "restored into" in capsys.readouterr().out
    assert main(["--data-dir", str(target), "restore", str(out)]) == 1
    err = capsys.readouterr().err
    assert "--force" in err and "Traceback" not in err
    assert main(["--data-dir", str(target), "restore", "--force", str(out)]) == 0
    assert "previous data moved to" in capsys.readouterr().out
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 broken")
    assert main(["--data-dir", str(tmp_path / "t2"), "restore", str(bad)]) == 1
    assert "bad.zip" in capsys.readouterr().err


def test_photos_missing_from_the_folder_are_listed_and_the_rest_is_restored(
    filled: DataFolder, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    db = filled.connect()
    hashes = [row[0] for row in db.execute("SELECT sha256 FROM photos ORDER BY sha256").fetchall()]
    db.close()
    gone = hashes[:2]
    for sha in gone:
        filled.photo_path(sha).unlink()
    out = tmp_path / "partial.zip"
    assert main(["--data-dir", str(filled.root), "backup", "--out", str(out)]) == 3
    captured = capsys.readouterr()
    assert "backup written" in captured.out and all(sha in captured.err for sha in gone)
    assert backup.read_manifest(out)["missing_photos"] == gone

    target = tmp_path / "restored"
    assert main(["--data-dir", str(target), "restore", str(out)]) == 3
    captured = capsys.readouterr()
    assert "restored into" in captured.out and all(sha in captured.err for sha in gone)
    restored = open_data_folder(target)
    assert restored.photo_path(hashes[2]).is_file() and sha256_file(restored.photo_path(hashes[2])) == hashes[2]
    assert not any(restored.photo_path(sha).exists() for sha in gone)
    db = restored.connect()
    try:
        assert db.execute("SELECT count(*) FROM photos").fetchone()[0] == 3
        assert db.execute("SELECT count(*) FROM subjects").fetchone()[0] == 1
    finally:
        db.close()


def test_an_older_backup_without_a_missing_list_still_restores_the_rest(filled: DataFolder, tmp_path: Path) -> None:
    db = filled.connect()
    sha = db.execute("SELECT sha256 FROM photos ORDER BY sha256").fetchone()[0]
    db.close()
    filled.photo_path(sha).unlink()
    archive = backup.create_backup(filled, tmp_path / "b.zip").path
    manifest = backup.read_manifest(archive)
    del manifest["missing_photos"]
    older = rewrite_zip(archive, tmp_path / "older.zip", {"manifest.json": json.dumps(manifest).encode()})
    summary = backup.restore_backup(older, tmp_path / "t")
    assert summary.missing_photos == (sha,)


def test_a_photo_the_manifest_lists_but_the_zip_lacks_is_still_refused(filled: DataFolder, tmp_path: Path) -> None:
    archive = backup.create_backup(filled, tmp_path / "b.zip").path
    name = next(e["path"] for e in backup.read_manifest(archive)["files"] if e["path"].startswith("photos/"))
    with pytest.raises(backup.BackupError):
        backup.restore_backup(rewrite_zip(archive, tmp_path / "x.zip", {name: None}), tmp_path / "t")
