from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.devtools import slack_spec
from bot.devtools.fake_slack import FakeSlack

# slack_sdk warns on blocks without text; the fake records that as a violation instead.
os.environ.setdefault("SKIP_SLACK_SDK_WARNING", "1")

TOKEN = "xoxb-test"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(bot_token=TOKEN) as fake:
        fake.add_user("U_ANA", name="ana", real_name="Ana", tz="Europe/Amsterdam")
        fake.add_user("U_BEN", name="ben", real_name="Ben", tz="America/New_York")
        fake.add_channel("C_LEARN", name="learning", members=["U_ANA", "U_BEN"])
        yield fake
        assert fake.violations == []
        assert_documented_errors(fake)


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=fake.api_url)


def assert_documented_errors(fake: FakeSlack) -> None:
    """Every error the fake answered is one Slack documents for that method."""
    for call in fake.calls:
        error = call.response.get("error")
        spec = slack_spec.method_spec(call.method)
        if error is None or spec is None or error in ("not_authed", "invalid_auth"):
            continue
        assert error in spec.errors, f"{call.method} answered undocumented error {error!r}"
