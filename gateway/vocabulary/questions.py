"""What a server asks of the person during a call, and the person's reply.

An MCP server may, while one of its tools runs, ask for input (`elicitation/create`: a form
from a schema, or a URL to visit) or for a completion from the model (`sampling/createMessage`,
which the gateway may have the person approve first). The MCP side turns such a request into
a `Question`; the chat shows it as a widget whose buttons send ``question.answer`` actions
back; the reply goes back to the server as the request's answer::

    {"type": "question.answer",
     "payload": {"question": "q_…",            # the question's id, issued by us
                 "answer": "accept",           # accept | decline | cancel
                 "input": {...}}}              # a form question's fields (``input.<name>``)
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, Literal

QUESTION_ANSWER = "question.answer"
AnswerKind = Literal["accept", "decline", "cancel"]
ANSWERS: tuple[AnswerKind, ...] = ("accept", "decline", "cancel")
QuestionKind = Literal["form", "url", "sampling"]


@dataclass(frozen=True, kw_only=True)
class SampleMessage:
    """One message of a sampling request, as the person is shown it."""

    role: str
    text: str


@dataclass(frozen=True, kw_only=True)
class Question:
    """One request from a server that waits for the person."""

    server: str
    kind: QuestionKind
    message: str
    schema: dict[str, Any] | None = None
    """A form question's requested schema (a flat object of primitive properties)."""
    url: str | None = None
    """A URL question's address."""
    messages: tuple[SampleMessage, ...] = ()
    """A sampling question's messages, for the person to read before approving."""
    system_prompt: str | None = None
    max_tokens: int | None = None
    id: str = field(default_factory=lambda: "q_" + secrets.token_hex(8))


@dataclass(frozen=True)
class Reply:
    """The person's answer (or the gateway's, when nobody answered in time)."""

    action: AnswerKind
    content: dict[str, Any] | None = None
    """A form question's accepted values."""
    note: str | None = None
    """Why the gateway answered for the person (timed out, the call ended)."""


def answer_action(question_id: str, answer: AnswerKind) -> dict[str, Any]:
    """An ActionConfig dict for one of a question's buttons."""
    return {
        "type": QUESTION_ANSWER,
        "payload": {"question": question_id, "answer": answer},
        "handler": "server",
        "loadingBehavior": "container",
    }
