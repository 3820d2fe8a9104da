"""Typed models: one row per thing a group is made of. Importing this registers every table."""

from bot.store.models.cycle import Alignment, Attendance, Kickoff, Week
from bot.store.models.deliveries import Delivery, DeliveryState
from bot.store.models.groups import Group, GroupFormat, GroupState, Membership, MemberStatus
from bot.store.models.topics import Poll, PollOption, Proposal, Resource, Vote

__all__ = [
    "Alignment",
    "Attendance",
    "Delivery",
    "DeliveryState",
    "Group",
    "GroupFormat",
    "GroupState",
    "Kickoff",
    "MemberStatus",
    "Membership",
    "Poll",
    "PollOption",
    "Proposal",
    "Resource",
    "Vote",
    "Week",
]
