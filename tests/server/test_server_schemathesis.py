"""Property-based fuzzing of the real server against its own OpenAPI document, on SQLite and PostgreSQL: every
declared operation gets generated requests (valid and invalid) from a logged-in client; no reply may be a 5xx and
every reply must match the schema the document declares for its status."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, Phase, given, settings
from server_support import HEADERS, Api, ServerEnv

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error, response_schema_conformance  # noqa: E402

# Examples per operation: bounded so that each database's run stays within a couple of minutes on two cores.
EXAMPLES = int(os.environ.get("INSPECTOR_FUZZ_EXAMPLES", "50"))


def test_fuzzed_requests_get_no_5xx_and_replies_match_the_document(env: ServerEnv, live: str) -> None:
    token = Api(env.client).login("admin").token
    headers = {**HEADERS, "Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_url(f"{live}/api/v1/openapi.json")
    session = requests.Session()
    sent: Counter[str] = Counter()
    server_errors: list[str] = []
    violations: list[str] = []

    def fuzzer(label: str, strategy: Any) -> Any:
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def fuzz(case: Any) -> None:
            reply = case.call(base_url=live, session=session, headers=headers, timeout=30)
            sent[label] += 1
            if reply.status_code >= 500:
                server_errors.append(f"{label} → {reply.status_code}: {reply.text[:200]}\n{case.as_curl_command()}")
                return
            try:
                case.validate_response(reply, checks=[not_a_server_error, response_schema_conformance])
            except Exception as failure:  # a check failure of any kind is counted, not raised
                violations.append(f"{label} → {reply.status_code}: {str(failure)[:400]}")

        return fuzz

    for result in schema.get_all_operations():
        operation = result.ok()
        fuzzer(f"{operation.method.upper()} {operation.path}", operation.as_strategy())()
    total = sum(sent.values())
    print(f"schemathesis on {env.settings.database_url.split(':')[0]}: {total} requests over {len(sent)} operations, "
          f"{len(server_errors)} 5xx, {len(violations)} schema violations")
    assert len(sent) >= 10 and total >= 10 * EXAMPLES // 2
    assert server_errors == [], "\n".join(server_errors[:5])
    assert violations == [], "\n".join(violations[:5])
