"""Who may do what in a group."""

from __future__ import annotations

from bot.domain.errors import NotAllowed
from bot.domain.markup import typed
from bot.store.models import Group, GroupState


def require_facilitator(group: Group, user_id: str) -> None:
    if user_id != group.facilitator_id:
        raise NotAllowed(
            f"Only the facilitator of *{typed(group.topic)}*, <@{group.facilitator_id}>, can do that."
        )


def require_member(group: Group, user_id: str, doing: str = "do that") -> None:
    if group.is_member(user_id):
        return
    if group.state is GroupState.RECRUITING:
        raise NotAllowed(
            f"Only members of *{typed(group.topic)}* can {doing}. Join the group first."
        )
    raise NotAllowed(
        f"Only members of *{typed(group.topic)}* can {doing}. Its cycle has started; ask "
        f"<@{group.facilitator_id}> about the next one, or start your own with `/p2p start`."
    )
