"""A failed model turn, in words: what went wrong and what to do, for the person in the thread.

The openai client has already retried what is worth retrying (429, 5xx, no connection) with
backoff, `model.retries` times, by the time an error gets here.
"""

from __future__ import annotations

import json

import httpx2
import openai
from agents.exceptions import MaxTurnsExceeded, ModelBehaviorError, UserError

from gateway.config import ModelConfig


class EmptyReply(Exception):
    """A model turn that showed nothing: an empty reply, or one the client could not read."""


def explain(exc: BaseException, config: ModelConfig) -> tuple[str, str]:
    """The heading and the message for a model turn that ended with `exc`."""
    where = config.base_url or "OpenAI"
    tries = f"{config.retries + 1} attempts" if config.retries else "1 attempt"
    match exc:
        case openai.AuthenticationError():
            return "The model refused the API key", (
                f"{where} answered 401 to model `{config.model}`: check `model.api_key` in config.yaml "
                "(usually `${OPENAI_API_KEY}`), then send the message again."
            )
        case openai.PermissionDeniedError():
            return "The model refused the request", (
                f"{where} answered 403 to model `{config.model}`: the API key may not use this model."
            )
        case openai.NotFoundError():
            return "The model was not found", (
                f"{where} answered 404: check `model.model` ({config.model!r}) and `model.base_url`."
            )
        case openai.RateLimitError():
            return "The model is rate-limited", (
                f"{where} answered 429 ({tries}, with backoff). Wait a moment, then send the message again."
            )
        case openai.APITimeoutError():
            return "The model did not answer in time", (
                f"{where} took longer than {config.timeout:g} s ({tries}). Send the message again, or "
                "raise `model.timeout`."
            )
        case openai.APIConnectionError() if isinstance(
            exc.__cause__, httpx2.RemoteProtocolError | httpx2.ReadError
        ):
            return "The model's reply broke off", (
                f"The stream from {where} ended midway ({exc.__cause__}). What arrived before is kept; "
                "send the message again."
            )
        case openai.APIConnectionError():
            return "The model could not be reached", (
                f"No connection to {where} ({tries}): check `model.base_url` and that the model server "
                "is running, then send the message again. Slash commands (/tools) work without it."
            )
        case openai.APIStatusError(status_code=status):
            return "The model failed", (
                f"{where} answered HTTP {status} ({tries}): {_short(exc)}. Send the message again later."
            )
        case MaxTurnsExceeded():
            return "The model did not finish", (
                f"It used all {config.max_turns} of its steps (`model.max_turns`) without a final answer. "
                "Ask for less at once, or raise `model.max_turns`."
            )
        case ModelBehaviorError() if "not found in agent" in str(exc):
            return "The model asked for a tool that does not exist", (
                f"{_short(exc)}. Nothing was called. Ask again, or use /tools to call a tool directly."
            )
        case (
            ModelBehaviorError() | UserError() | json.JSONDecodeError() | openai.APIResponseValidationError()
        ):
            return "The model's reply could not be used", (
                f"{_short(exc)}. Nothing more was done. Send the message again, or use /tools."
            )
        case EmptyReply():
            return "The model's reply was empty", (
                "It held no text and no tool call, or could not be read as a Chat Completions reply. "
                "Send the message again, or check that `model.base_url` is an OpenAI-compatible endpoint."
            )
        case _:
            return "The model's reply broke off", (
                f"{type(exc).__name__}: {_short(exc)}. What arrived before is kept; send the message again."
            )


def _short(exc: BaseException, limit: int = 300) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= limit else text[:limit] + "…"
