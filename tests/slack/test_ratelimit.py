"""Rate budgets: paced per workspace and method, paused per workspace by Retry-After."""

from __future__ import annotations

from bot.slack.ratelimit import Budgets


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def budgets(time: FakeTime) -> Budgets:
    return Budgets(clock=time.clock, sleep=time.sleep)


def test_a_channel_gets_a_short_burst_then_one_message_a_second() -> None:
    time = FakeTime()
    budget = budgets(time)
    for _ in range(4):
        budget.wait_turn("T1", "chat.postMessage", "C1")
    budget.wait_turn("T1", "chat.postMessage", "C2")  # another channel: at once
    assert time.slept == [1.0]


def test_a_tier_3_method_is_paced_at_50_a_minute_after_its_burst() -> None:
    time = FakeTime()
    budget = budgets(time)
    for _ in range(10):
        budget.wait_turn("T1", "chat.update", "C1")
    assert time.slept and all(s <= 1.2 for s in time.slept)
    assert time.now >= (10 - 8.33) * 60 / 50 - 0.01


def test_retry_after_pauses_that_workspace_only() -> None:
    time = FakeTime()
    budget = budgets(time)
    budget.pause("T1", "chat.postMessage", 30)
    budget.wait_turn("T2", "chat.postMessage", "C9")
    assert time.slept == []  # the other workspace goes at once
    budget.wait_turn("T1", "chat.postMessage", "C1")
    assert time.slept == [30.0]


def test_requests_from_people_are_not_paced_but_wait_out_a_429() -> None:
    time = FakeTime()
    budget = budgets(time)
    for _ in range(20):
        budget.wait_turn(None, "views.open", None)
    assert time.slept == []
    budget.pause(None, "views.open", 2)
    assert time.slept == [2.0]
