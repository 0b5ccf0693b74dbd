"""A bounded schemathesis run of every operation in the app's OpenAPI document, served by
uvicorn on the test database with the demo portfolio and an administrator's token, on each
backend: no answer is a server error, and every 4xx JSON answer is a refusal in the one shape.
Examples are derandomised, so a run is repeatable. The operations are split into CHUNKS tests,
so parallel workers share them."""

import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator

import msgspec
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from piccolo.engine.postgres import PostgresEngine
from schemathesis import GenerationMode, openapi
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from uvicorn import Config, Server

from grants import db
from grants.app import create_app
from grants.core.vocabulary import Role
from grants.settings import Settings
from grants.tables.claims import Claim
from grants.tables.expenditures import Expenditure
from grants.tables.indicators import Indicator
from grants.tables.modifications import Modification
from grants.tables.participants import Participant
from grants.tables.periods import ReportingPeriod
from grants.tables.projects import Project
from grants.web.refusals import Refusal
from tests.browser import free_port
from tests.helpers import api_headers

CHUNKS = 4
EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 6}  # per operation
# a third as many: each success renders and stores the files
SLOW = {"/api/v1/periods/{period_id}/submit", "/api/v1/claims/{claim_id}/submit"}
IDS = {
    "project_id": Project,
    "period_id": ReportingPeriod,
    "expenditure_id": Expenditure,
    "indicator_id": Indicator,
    "claim_id": Claim,
    "participant_id": Participant,
    "modification_id": Modification,
}


def refusal_shape(ctx, response, case) -> None:
    """Every 4xx JSON answer is {"status_code", "detail", "errors": [{"field", "message"}]}."""
    if not 400 <= response.status_code < 500:
        return
    if not response.headers.get("content-type", [""])[0].startswith("application/json"):
        return
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"status_code", "detail", "errors"}, body
    refusal = msgspec.convert(body, Refusal)
    assert refusal.status_code == response.status_code and refusal.detail, body
    assert refusal.errors and all(set(e) == {"field", "message"} for e in body["errors"]), body


def database_url(engine) -> str:
    if isinstance(engine, PostgresEngine):
        return engine.config["dsn"]
    return f"sqlite:///{engine.path}"


@pytest.fixture
def served(demo) -> Iterator[str]:
    """The app under uvicorn in a thread of its own, with an engine (and on PostgreSQL a pool)
    of its own in that thread's event loop, as `grants serve` runs it; its base URL."""
    port = free_port()
    app = create_app(Settings(secret_key="test", database_url=database_url(demo)))
    server = Server(Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        db.use_engine(demo)  # create_app pointed the tables at its own engine


@pytest.fixture
async def admin(demo) -> dict[str, str]:
    return await api_headers(Role.ADMIN)


@pytest.fixture
async def records(demo) -> dict[str, list[int]]:
    """The demo's ids by path parameter."""
    return {
        name: [row["id"] for row in await table.select(table.id)] for name, table in IDS.items()
    }


def cases(operation, mode: GenerationMode, records: dict[str, list[int]]):
    """Cases as schemathesis makes them, and as many again on the demo's own records: random ids
    alone would mostly meet 404 and leave the handlers behind it untried."""
    generated = operation.as_strategy(generation_mode=mode)
    known = {
        name: records[name] for name in re.findall(r"{(\w+)}", operation.path) if records.get(name)
    }
    if not known:
        return generated
    ids = st.fixed_dictionaries({name: st.sampled_from(found) for name, found in known.items()})
    real = ids.flatmap(
        lambda path: operation.as_strategy(generation_mode=mode, path_parameters=path)
    )
    return st.one_of(generated, real)


def fuzz(operation, mode, records, headers, answered: Counter) -> None:
    """`EXAMPLES[mode]` cases of one operation; raises the failures of the first failing case."""

    @settings(
        max_examples=EXAMPLES[mode] // (3 if operation.path in SLOW else 1),
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases(operation, mode, records))
    def run(case):
        response = case.call(headers=headers)
        answered[response.status_code] += 1
        case.validate_response(response, checks=[not_a_server_error, refusal_shape])

    run()


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_no_api_operation_answers_with_a_server_error(chunk, admin, records, served):
    schema = openapi.from_url(f"{served}/schema/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    operations = operations[chunk::CHUNKS]
    failures: list[str] = []
    answered: dict[str, Counter] = defaultdict(Counter)
    for operation in operations:
        for mode in EXAMPLES:
            try:
                fuzz(operation, mode, records, admin, answered[operation.label])
            except (Exception, FailureGroup) as error:  # every operation runs; all are reported
                failures.append(f"{operation.label} ({mode.value}):\n{error}")
    for label, counts in sorted(answered.items()):
        print(label, dict(sorted(counts.items())))
    assert not failures, "\n\n".join(failures)
    succeeded = [label for label, counts in answered.items() if any(s < 300 for s in counts)]
    assert len(succeeded) >= 15 // CHUNKS, "too few operations got past their checks"
