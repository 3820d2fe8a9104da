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
from bot.store.models.installations import (
    Workspace,
    slack_bots,
    slack_installations,
    slack_oauth_states,
)
from bot.store.models.interest import CohortProposal, InterestTopic, ProposalState, Want
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
from bot.store.models.replicas import Replica
from bot.store.models.topics import Poll, PollOption, Proposal, Resource, Vote

__all__ = [
    "Alignment",
    "Ambassador",
    "Attendance",
    "CatchUp",
    "CheckIn",
    "CohortProposal",
    "Delivery",
    "DeliveryState",
    "Feedback",
    "Group",
    "GroupFormat",
    "GroupState",
    "HomeViewer",
    "InterestTopic",
    "Kickoff",
    "LearnedGoal",
    "MemberStatus",
    "Membership",
    "Poll",
    "PollOption",
    "ProgramOwner",
    "Proposal",
    "ProposalState",
    "Replica",
    "Resource",
    "RetroReply",
    "SlackEvent",
    "StallReason",
    "TopicRequest",
    "Vote",
    "Want",
    "Week",
    "Workspace",
    "slack_bots",
    "slack_installations",
    "slack_oauth_states",
]
