"""schemathesis against the OpenAPI spec: no generated input gets a 5xx."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from stanch.server.app import create_app
from stanch.services import incidents, tokens
from stanch.services.context import App


def test_no_generated_input_gets_a_server_error(app: App) -> None:
    token = tokens.create(app, "fuzz", "responder")
    incidents.declare(app, "Checkout down", severity="SEV2", slug="checkout-down")
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(app))
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def run(case: schemathesis.Case) -> None:  # type: ignore[type-arg]
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error]
            )

        run()
