"""Schemathesis against /api/v1/openapi.json: generated requests (valid and invalid) never make
the API answer with a server error or with a response its own schema does not describe.

Uploads are the one place where a schema-valid request may be refused: the schema can say "a
file", not "a ledger of the right shape", so the acceptance check is left out for them only."""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from schemathesis.specs.openapi.checks import positive_data_acceptance

from supervision import db


def test_api_answers_every_generated_request_within_its_schema(app, make_platform, make_user):
    from supervision.models import User
    from supervision.services.api_tokens import create_token

    make_platform("pa")
    make_user("pa_api", "platform", "pa")
    with app.app_context():
        s = db.session()
        owner = s.scalar(select(User).where(User.username == "pa_api"))
        _token, raw = create_token(s, owner, "模糊测试")
        s.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 4
    for operation in operations:
        uploads = operation.method.upper() == "POST"
        excluded = [positive_data_acceptance] if uploads else []

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            case.call_and_validate(headers=headers, excluded_checks=excluded)

        run()
