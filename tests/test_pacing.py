"""Learning a workspace's unpublished chat.postMessage limit from its 429s, and serving
waiting callers most urgent first. A fake clock: no timed assertions."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from bot.devtools.fake_slack.ratelimits import Bucket
from bot.slack.ratelimit import Budgets, urgency

POST = "chat.postMessage"


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def send(budgets: Budgets, time: FakeTime, n: int, *, cap: float, latency: float) -> int:
    """Send `n` DMs for workspace T through `budgets` to a Slack allowing `cap` a second
    after a burst of 10, as the fake Slack does; the number of 429s."""
    slack = Bucket(10, cap, 10, 0.0)
    refused = sent = 0
    while sent < n:
        budgets.wait_turn("T", POST, f"U{sent}")
        time.now += latency
        wait = slack.wait(time.now)
        if wait == 0:
            slack.tokens -= 1
            sent += 1
        else:
            refused += 1
            budgets.pause("T", POST, math.ceil(wait))  # Retry-After: whole seconds
    return refused


def test_the_pace_settles_at_the_limit_slack_does_not_publish() -> None:
    time = FakeTime()
    budgets = Budgets(clock=time.clock, sleep=time.sleep)
    refused = send(budgets, time, 1500, cap=4.0, latency=0.05)
    least = (1500 - 10) / 4.0
    assert time.now < least * 1.03  # pausing alone wasted the rest of each whole second
    assert refused < 1500 * 0.08  # pausing alone: about one a second
    assert 3.0 < budgets.pace("T", POST) < 5.0


def test_a_workspace_with_room_to_spare_is_never_paced() -> None:
    time = FakeTime()
    budgets = Budgets(clock=time.clock, sleep=time.sleep)
    assert send(budgets, time, 50, cap=100.0, latency=0.05) == 0
    assert budgets.pace("T", POST) == 0


def test_a_lower_limit_is_learned_again_after_a_429() -> None:
    time = FakeTime()
    budgets = Budgets(clock=time.clock, sleep=time.sleep)
    send(budgets, time, 400, cap=4.0, latency=0.05)
    began, pace = time.now, budgets.pace("T", POST)
    send(budgets, time, 200, cap=2.0, latency=0.05)
    assert time.now - began < 200 / 2.0 * 1.1
    assert budgets.pace("T", POST) < pace - 0.5


def test_the_most_urgent_caller_goes_first_then_the_earliest() -> None:
    time = FakeTime()
    budgets = Budgets(clock=time.clock, sleep=time.sleep)
    budgets.wait_turn("T", POST, "U0")
    budgets.wait_turn("T", POST, "U9")
    budgets.pause("T", POST, 1)  # U9 was refused: a pace is learned, calls wait their turn
    first_dm = budgets.line_up("T", POST, "U1")
    second_dm = budgets.line_up("T", POST, "U2")
    prompt = budgets.line_up("T", POST, "C1", urgency=datetime(2026, 3, 21, tzinfo=UTC).timestamp())
    time.now += 10  # the pause is over: one call's worth of pace is there
    assert budgets.try_go(first_dm) > 0  # the prompt is ready too: it goes ahead
    assert budgets.try_go(prompt) == 0
    assert budgets.try_go(second_dm) > 0  # not before the earlier DM
    time.now += 10
    assert budgets.try_go(second_dm) > 0  # the earlier DM is ready: it goes first
    assert budgets.try_go(first_dm) == 0
    time.now += 10
    assert budgets.try_go(second_dm) == 0


def test_a_call_made_for_an_urgent_item_goes_ahead_of_waiting_dms() -> None:
    time = FakeTime()
    budgets = Budgets(clock=time.clock, sleep=time.sleep)
    budgets.wait_turn("T", POST, "U0")
    budgets.wait_turn("T", POST, "U9")
    budgets.pause("T", POST, 1)  # U9 was refused: now paced
    waiting_dm = budgets.line_up("T", POST, "U1")
    time.now += 10
    with urgency(datetime(2026, 3, 21, tzinfo=UTC)):
        budgets.wait_turn("T", POST, "C1")
    assert time.now == 10  # went at once, though the DM was there first
    assert budgets.try_go(waiting_dm) > 0
