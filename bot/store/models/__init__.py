"""Typed models: one row per thing a group is made of. Importing this registers every table."""

from bot.store.models.cycle import Alignment, Attendance, Kickoff, Week
from bot.store.models.deliveries import Delivery, DeliveryState, SlackEvent
from bot.store.models.groups import (
    Group,
    GroupFormat,
    GroupState,
    Membership,
    MemberStatus,
    StallReason,
)
from bot.store.models.program import HomeViewer, ProgramOwner
from bot.store.models.reflection import (
    Ambassador,
    CatchUp,
    CheckIn,
    Feedback,
    LearnedGoal,
    RetroReply,
    TopicRequest,
)
from bot.store.models.topics import Poll, PollOption, Proposal, Resource, Vote

__all__ = [
    "Alignment",
    "Ambassador",
    "Attendance",
    "CatchUp",
    "CheckIn",
    "Delivery",
    "DeliveryState",
    "Feedback",
    "Group",
    "GroupFormat",
    "GroupState",
    "HomeViewer",
    "Kickoff",
    "LearnedGoal",
    "MemberStatus",
    "Membership",
    "Poll",
    "PollOption",
    "ProgramOwner",
    "Proposal",
    "Resource",
    "RetroReply",
    "SlackEvent",
    "StallReason",
    "TopicRequest",
    "Vote",
    "Week",
]
