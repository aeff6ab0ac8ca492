"""The two decisions every planner may take without asking any server: say something, or
refuse an action. Tool decisions (`decisions.py`) and prompt and resource decisions
(`offerings.py`) both use them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Say:
    """Answer with a message (an unknown tool in a command, how to use a command)."""

    text: str


@dataclass(frozen=True)
class Refuse:
    """Refuse an action, saying why; nothing is asked of any server."""

    message: str
