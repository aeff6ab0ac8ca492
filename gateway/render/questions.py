"""A server's question as a widget, and the card it becomes once answered.

- a form question (elicitation, form mode): the server's message and a form built from the
  requested schema by the same field builder as tools' forms, with Accept, Decline, Cancel;
- a URL question (elicitation, URL mode): the message, the link, and "Done" once the person
  has finished there, Decline, Cancel;
- a sampling question: the messages the server wants the model to answer, with Approve and
  Decline.
"""

from __future__ import annotations

from typing import Any

from gateway.render.forms import schema_fields
from gateway.render.widget import (
    Node,
    Rendered,
    badge,
    button,
    caption,
    card,
    clip,
    col,
    finish,
    markdown,
    row,
    scalar_text,
    text,
    title,
)
from gateway.vocabulary.json import is_object
from gateway.vocabulary.questions import Question, Reply, answer_action

_MESSAGE_CHARS = 2000
_SAMPLE_CHARS = 1500


def question_widget(question: Question, *, problems: dict[str, str] | None = None) -> Rendered:
    """The widget that asks `question` in the thread."""
    qid = question.id
    if question.kind == "sampling":
        return _sampling(question)
    head: list[Node] = [
        row(title(f"{question.server} asks"), badge("waiting for you", "warning"), gap=2, align="center"),
        text(clip(question.message, _MESSAGE_CHARS)),
    ]
    decline = button("Decline", answer_action(qid, "decline"), style="secondary")
    cancel = button("Cancel", answer_action(qid, "cancel"), style="secondary", variant="ghost")
    if question.kind == "url":
        url = question.url or ""
        link = (
            markdown(f"[{_link_text(url)}]({_target(url)})")
            if url.startswith(("https://", "http://"))
            else text(url)
        )
        done = button("Done", answer_action(qid, "accept"), style="primary")
        body = [
            *head,
            link,
            caption("Open the link, finish there, then choose Done."),
            row(cancel, decline, done, gap=2, justify="end"),
        ]
        return finish(
            card(*body, size="md"), f"{question.server} asks you to visit {url}: {question.message}"
        )
    accept: Node = {"type": "Button", "label": "Accept", "submit": True, "style": "primary"}
    fields = schema_fields(question.schema or {}, problems=problems)
    form: Node = {
        "type": "Form",
        "onSubmitAction": answer_action(qid, "accept"),
        "direction": "col",
        "gap": 3,
        "children": [*fields, row(cancel, decline, accept, gap=2, justify="end")],
    }
    names = ", ".join(_properties(question.schema))
    summary = f"{question.server} asks: {question.message}" + (f" ({names})" if names else "")
    return finish(card(*head, form, size="md"), summary)


def _sampling(question: Question) -> Rendered:
    qid = question.id
    lines: list[Node] = []
    if question.system_prompt:
        lines.append(caption("System: " + clip(question.system_prompt, _SAMPLE_CHARS)))
    for message in question.messages:
        lines.append(col(caption(message.role), text(clip(message.text, _SAMPLE_CHARS)), gap=0))
    body = [
        row(
            title(f"{question.server} asks the model"),
            badge("needs approval", "warning"),
            gap=2,
            align="center",
        ),
        text(question.message),
        col(*lines, gap=2, padding={"left": 2}),
        row(
            button("Decline", answer_action(qid, "decline"), style="secondary"),
            button("Approve", answer_action(qid, "accept"), style="primary"),
            gap=2,
            justify="end",
        ),
    ]
    said = " / ".join(m.text for m in question.messages)
    return finish(card(*body, size="md"), f"{question.server} asks the model: {said}")


def answered_widget(question: Question, reply: Reply) -> Rendered:
    """What the question's card becomes once answered (or closed without an answer)."""
    what = {
        ("sampling", "accept"): "You approved the request.",
        ("sampling", "decline"): "You declined the request.",
        ("url", "accept"): "You said you were done.",
    }.get((question.kind, reply.action))
    if what is None:
        what = {"accept": "You answered.", "decline": "You declined.", "cancel": "Cancelled."}[reply.action]
    if reply.note:
        what = reply.note
    shown: list[Node] = [
        row(title(f"{question.server} asked"), badge(_badge(reply), _color(reply)), gap=2, align="center"),
        caption(clip(question.message, _MESSAGE_CHARS)),
        text(what),
    ]
    values = reply.content or {}
    for key, value in values.items():
        shown.append(row(caption(key), text(scalar_text(value), weight="semibold"), gap=2))
    answered = ", ".join(f"{k}={scalar_text(v)}" for k, v in values.items())
    summary = f"{question.server} asked: {question.message} — {what}" + (f" ({answered})" if answered else "")
    return finish(card(*shown, size="md"), summary)


def _badge(reply: Reply) -> str:
    if reply.note:
        return "closed"
    return {"accept": "answered", "decline": "declined", "cancel": "cancelled"}[reply.action]


def _color(reply: Reply) -> str:
    return "success" if reply.action == "accept" and not reply.note else "secondary"


def _properties(schema: dict[str, Any] | None) -> list[str]:
    properties = (schema or {}).get("properties")
    return [str(k) for k in properties] if is_object(properties) else []


def _link_text(url: str) -> str:
    """The link's words: the address, with nothing that could end the markdown link early."""
    return clip(url, 80).translate(str.maketrans({"[": "%5B", "]": "%5D", "\\": "%5C"}))


def _target(url: str) -> str:
    """The link's target, with what would end or nest a markdown link target escaped."""
    return url.translate(str.maketrans({"(": "%28", ")": "%29", " ": "%20", "<": "%3C", ">": "%3E"}))
