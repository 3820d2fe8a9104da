"""The program's chart (PNG): groups by outcome over time with the 80% line, and attendance
by week of the cycle. matplotlib with the Agg backend: no display needed."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

from bot.domain.program import BENCHMARK_COMPLETION, OutcomeMonth, ProgramStats

COLOURS = {"completed": "#2e7d32", "stalled": "#ef6c00", "closed": "#9e9e9e"}


def program_chart(stats: ProgramStats, months: list[OutcomeMonth]) -> bytes:
    figure = Figure(figsize=(10, 4.2), dpi=100)
    outcomes, attendance = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})

    labels = [m.month for m in months] or ["(none yet)"]
    completed = [m.completed for m in months] or [0]
    stalled = [m.stalled for m in months] or [0]
    closed = [m.closed for m in months] or [0]
    x = range(len(labels))
    outcomes.bar(x, completed, color=COLOURS["completed"], label="completed")
    outcomes.bar(x, stalled, bottom=completed, color=COLOURS["stalled"], label="stalled")
    outcomes.bar(
        x,
        closed,
        bottom=[a + b for a, b in zip(completed, stalled, strict=True)],
        color=COLOURS["closed"],
        label="closed before starting",
    )
    outcomes.set_xticks(list(x), labels, rotation=45, ha="right", fontsize=8)
    outcomes.set_ylabel("groups ended")
    outcomes.set_title("Groups by outcome, by month they ended")
    rate_axis = outcomes.twinx()
    rates = [
        100 * c / (c + s) if c + s else float("nan")
        for c, s in zip(completed, stalled, strict=True)
    ]
    rate_axis.plot(list(x), rates, color="black", marker="o", label="completion rate")
    rate_axis.axhline(
        100 * BENCHMARK_COMPLETION, color="#1565c0", linestyle="--", label="80% (Booking.com)"
    )
    rate_axis.set_ylim(0, 105)
    rate_axis.set_ylabel("% of finished groups completed")
    handles = outcomes.get_legend_handles_labels()
    more = rate_axis.get_legend_handles_labels()
    outcomes.legend(handles[0] + more[0], handles[1] + more[1], fontsize=7, loc="upper left")

    weeks = [w for w, _ in stats.attendance_by_week] or [1]
    shares = [100 * (r.value or 0) for _, r in stats.attendance_by_week] or [0]
    attendance.bar(weeks, shares, color="#5c6bc0")
    attendance.set_ylim(0, 100)
    attendance.set_xlabel("week of the cycle")
    attendance.set_ylabel("% of answers: I was there")
    attendance.set_title("Attendance by week")
    attendance.set_xticks(weeks)

    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
