"""Schemathesis against the app's own OpenAPI schema: no request, however odd, may get a 5xx.

The real app runs in-process over ASGI with the demo data and every operation in the schema is
called with generated data, signed in as the demo `admin`. Schemathesis runs its examples,
coverage (boundary values, missing or wrong parameters, methods the path does not allow) and
fuzzing phases, with both valid and deliberately invalid data.

The one check is `not_a_server_error`. The schema lists the 4xx answers of the audit, photo
and user endpoints, not yet of every route (401, 405, 413 and 429 can come from anywhere), so
`status_code_conformance` would flag the schema's silence, not a server fault.
"""

from __future__ import annotations

import logging
import traceback
from collections import Counter
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi

import server
from conftest import CHECKLISTS
from server.core.settings import Settings

CHECKS = [not_a_server_error]
SERVER_DIR = str(Path(server.__file__).parent)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Default sign-in limits: every generated sign-in comes from one address, and failures for
    # made-up names must not lock the admin out of it (the limiter counts per name and address).
    return Settings(
        data_dir=tmp_path / "data", checklists_dir=CHECKLISTS, demo=True, password_cost="test"
    )


class AdminToken:
    """Signs in as the demo admin through POST /api/login, as a device would.

    Schemathesis caches the token; on a 401 it signs in again and replays the request once,
    because POST /api/logout and POST /api/users/{id}/revoke (on admin's own id) sign us out.
    """

    def get(self, case, context):
        with asgi.get_client(context.app) as client:
            response = client.post(
                "/api/login",
                json={"username": "admin", "password": "demo", "device": "schemathesis"},
            )
        assert response.status_code == 200, response.text
        return response.json()["token"]

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


class ServerLog(logging.Handler):
    """The app's error records, so a 5xx failure can say where the server broke."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def summary(self, start: int) -> str:
        lines = []
        for record in self.records[start:]:
            lines.append(f"{record.name}: {record.getMessage()}")
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                ours = [
                    frame
                    for frame in traceback.extract_tb(error.__traceback__)
                    if frame.filename.startswith(SERVER_DIR)
                ]
                for frame in ours[-2:]:
                    lines.append(f"  {frame.filename}:{frame.lineno} in {frame.name}: {frame.line}")
                lines.append(f"  {type(error).__name__}: {error}")
        return "\n".join(lines)


@pytest.fixture
def server_log():
    handler = ServerLog()
    loggers = [logging.getLogger(name) for name in ("genba", "litestar")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.fixture
def statuses() -> Counter:
    """(operation, status) -> how many responses, to show the run was signed in."""
    return Counter()


@pytest.fixture
def api_schema(request: pytest.FixtureRequest, app, statuses: Counter):
    if not hasattr(request.node, "_nodeid"):
        # schemathesis 4.32's from_fixture() reads and renames `Node._nodeid`, which pytest
        # 9.2 no longer has. Give it one; the per-operation subtest reports still name the
        # operation.
        request.node._nodeid = request.node.nodeid
    schema = schemathesis.openapi.from_asgi(
        "/api/schema/openapi.json", app, config=schemathesis.Config()
    )
    # Signing in needs no token, and a 401 for a wrong password is no reason to sign in again.
    schema.auth.auth().skip_for(path="/api/login")(AdminToken)
    yield schema
    # Ends the lifespan schemathesis started (its shutdown closes the store).
    asgi.shutdown_lifespans()
    print("\n".join(f"{n:5d}  {label} -> {status}" for (label, status), n in statuses.items()))
    assert statuses["GET /api/me", 200], f"the run was never signed in: {dict(statuses)}"


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis.settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    database=None,
)
def test_no_server_errors(case, server_log: ServerLog, statuses: Counter):
    start = len(server_log.records)
    try:
        response = case.call_and_validate(checks=CHECKS)
    except BaseException as exc:  # schemathesis raises a BaseExceptionGroup of failures
        logged = server_log.summary(start)
        if logged:
            exc.add_note("server log:\n" + logged)
        raise
    statuses[case.operation.label, response.status_code] += 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        # Found by the run above; pinned here because fuzzing finds them only by chance.
        ("OPTIONS", "/api/users"),
        ("OPTIONS", "/api/users/1/revoke"),
        ("POST", f"/api/users/{2**63}/revoke"),
    ],
)
def test_fuzz_findings_are_not_server_errors(client, admin, method, path):
    response = client.request(method, path, headers=admin)
    assert response.status_code < 500, response.text
