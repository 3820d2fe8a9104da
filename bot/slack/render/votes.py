"""The weekly topic vote, its live tally, and the forms to add or set a topic."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.topics import LINK_MAX, PROPOSAL_MAX, TIE_RULE, Result, tally
from bot.slack import ids
from bot.slack.render.format import (
    NUMBER_EMOJI,
    bar,
    link,
    mention,
    people,
    plural,
    shorten,
    truncate,
    user_text,
    when,
)
from bot.slack.render.message import Message
from bot.store.models import Group, Poll, Proposal


def vote_message(group: Group, poll: Poll, result: Result | None = None) -> Message:
    counts = tally(poll)
    total = sum(c.votes for c in counts)
    next_week = poll.week + 1
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"🗳️ *Vote: week {next_week}'s topic for {user_text(group.topic, 150)}*\n"
                + (
                    "One vote each. Click another option to move your vote, click yours "
                    "again to take it back."
                    if poll.is_open
                    else "This vote is closed."
                )
            )
        )
    ]
    for count in counts:
        proposal = count.option.proposal
        label = NUMBER_EMOJI[count.option.position - 1]
        # A link's label is inside Slack's <…> markup: escaped whole, a mention shows as typed.
        title = (
            link(proposal.link, shorten(proposal.text, 200))
            if proposal.link
            else user_text(proposal.text, 200)
        )
        voters = f" · {people(count.voters)}" if count.voters else ""
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=truncate(
                        f"{label} *{title}*\n`{bar(count.votes, total)}` "
                        f"{plural(count.votes, 'vote')}{voters}",
                        3000,
                    )
                )
            )
        )
    if poll.is_open:
        blocks.append(
            ActionsBlock(
                block_id="vote_options",
                elements=[
                    ButtonElement(
                        text=NUMBER_EMOJI[c.option.position - 1],
                        action_id=f"{ids.VOTE_OPTION}_{c.option.position}",
                        value=f"{poll.id}:{c.option.id}",
                    )
                    for c in counts
                ],
            )
        )
        blocks.append(
            ActionsBlock(
                block_id="vote_tools",
                elements=[
                    ButtonElement(
                        text="➕ Add a topic", action_id=ids.PROPOSE, value=str(group.id)
                    ),
                    ButtonElement(
                        text="Close the vote", action_id=ids.VOTE_CLOSE, value=str(poll.id)
                    ),
                ],
            )
        )
        footer = (
            f"Closes {when(poll.closes_at, group.timezone)} or when "
            f"{mention(group.facilitator_id)} closes it. {TIE_RULE}"
        )
    else:
        footer = result_text(result) if result else TIE_RULE
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=truncate(footer, 3000))]))
    text = f"Vote on week {next_week}'s topic for {user_text(group.topic)} ({plural(total, 'vote')} so far)"
    return Message(text=text, blocks=blocks)


def result_text(result: Result) -> str:
    winner = user_text(result.winner.text, 200)
    votes = next(c.votes for c in result.counts if c.option.proposal.id == result.winner.id)
    if votes == 0:
        return f"Nobody voted, so by the tie rule the topic proposed first wins: *{winner}*."
    if result.is_tie:
        tied = " and ".join(f"*{user_text(p.text, 100)}*" for p in result.tied)
        return (
            f"It's a tie between {tied} ({plural(votes, 'vote')} each). By the rule — a tie goes "
            f"to the topic proposed first — *{winner}* is next."
        )
    return f"*{winner}* wins with {plural(votes, 'vote')}."


def result_announcement(group: Group, result: Result) -> Message:
    text = f"Week {result.poll.week + 1}'s topic: {result_text(result)}"
    return Message(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])


def propose_modal(group: Group) -> View:
    return View(
        type="modal",
        callback_id=ids.PROPOSE,
        private_metadata=json.dumps({"group_id": group.id}),
        title="Add a topic",
        submit="Add",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"A sub-topic of *{user_text(group.topic, 200)}* you'd like the group "
                    "to study. If a vote is open it joins the vote."
                )
            ),
            InputBlock(
                block_id="proposal",
                label="Topic",
                element=PlainTextInputElement(
                    action_id="proposal", max_length=PROPOSAL_MAX, placeholder="e.g. Raft consensus"
                ),
            ),
            InputBlock(
                block_id="link",
                label="A link to start from",
                optional=True,
                element=PlainTextInputElement(
                    action_id="link", placeholder="https://…", max_length=LINK_MAX
                ),
            ),
        ],
    )


def proposal_reply(proposal: Proposal, merged: bool) -> str:
    text = user_text(proposal.text)
    if merged:
        return f"*{text}* was already proposed; I've kept the one entry."
    return f"Added *{text}* to the group's topics."


def topic_request_dm(group: Group, week: int) -> Message:
    text = (
        f"Nobody has proposed a topic for week {week} of *{user_text(group.topic)}*, so there's no vote "
        "to post. Pick the topic yourself, or ask the group to propose with `/p2p propose`."
    )
    return Message(
        text=text,
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=text)),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=f"Set week {week}'s topic",
                        action_id=ids.SET_TOPIC,
                        value=f"{group.id}:{week}",
                        style="primary",
                    )
                ]
            ),
        ],
    )


def topic_request_notice(group: Group, week: int) -> Message:
    text = (
        f"No topics were proposed for week {week}, so there's no vote this time: "
        f"{mention(group.facilitator_id)} will pick one. Propose topics for later weeks with "
        "`/p2p propose &lt;topic&gt;`."
    )
    return Message(text=text, blocks=[SectionBlock(text=MarkdownTextObject(text=text))])


def set_topic_modal(group: Group, week: int) -> View:
    return View(
        type="modal",
        callback_id=ids.SET_TOPIC,
        private_metadata=json.dumps({"group_id": group.id, "week": week}),
        title=f"Week {week}'s topic",
        submit="Set topic",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id="proposal",
                label="Topic",
                element=PlainTextInputElement(action_id="proposal", max_length=PROPOSAL_MAX),
            )
        ],
    )
