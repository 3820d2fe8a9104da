"""`/p2p settings`: the facilitator's form for the group's rhythm."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.group_settings import LIMITS, GroupSettings
from bot.slack import ids
from bot.slack.render.format import user_text
from bot.slack.render.recruitment import SHARE_CHECKINS
from bot.store.models import Group

LABELS = {
    "session_minutes": ("Session length (minutes)", None),
    "prompt_lead_hours": ("Weekly prompt: hours before the session", "24 = the day before."),
    "vote_close_hours": (
        "Topic vote closes: hours before the next prompt",
        "People get this long to read the winner before the prompt goes out.",
    ),
    "checkin_delay_days": (
        "Check-in DM: days after the session",
        "At 10:00 in each member's zone.",
    ),
}


def settings_modal(group: Group) -> View:
    current = GroupSettings.of(group)
    blocks: list[InputBlock | SectionBlock] = [
        SectionBlock(text=MarkdownTextObject(text=f"*{user_text(group.topic, 200)}*"))
    ]
    for field, (label, hint) in LABELS.items():
        low, high, _ = LIMITS[field]
        blocks.append(
            InputBlock(
                block_id=field,
                label=label,
                hint=hint,
                element=NumberInputElement(
                    action_id=field,
                    is_decimal_allowed=False,
                    initial_value=str(getattr(current, field)),
                    min_value=str(low),
                    max_value=str(high),
                ),
            )
        )
    blocks.append(
        InputBlock(
            block_id="share_checkins",
            label="Weekly check-ins",
            optional=True,
            element=CheckboxesElement(
                action_id="share_checkins",
                options=[SHARE_CHECKINS],
                initial_options=[SHARE_CHECKINS] if current.share_checkins else None,
            ),
        )
    )
    return View(
        type="modal",
        callback_id=ids.SETTINGS,
        private_metadata=json.dumps({"group_id": group.id}),
        title="Group settings",
        submit="Save",
        close="Cancel",
        blocks=blocks,
    )
