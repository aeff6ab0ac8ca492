"""Servers' sampling requests answered by the configured model.

A server's `sampling/createMessage` carries its own messages, system prompt and token limit;
the gateway sends them to the configured model as one Chat Completions request (which OpenAI
and every OpenAI-compatible endpoint serve) and gives the reply back as the server expects
it. Only text travels: image and audio blocks are described in words. Whether a server may
sample at all, and whether the person approves each request first, is decided before this
(`gateway.mcp.client_side`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from mcp.types import CreateMessageRequestParams, CreateMessageResult, TextContent
from openai import AsyncOpenAI, omit

from gateway.config import ModelConfig
from gateway.planning.model_transport import openai_client

_STOP_REASONS = {"stop": "endTurn", "length": "maxTokens"}


class ModelSampler:
    """Answers sampling requests with `config`'s model."""

    def __init__(self, config: ModelConfig) -> None:
        self.config = config
        self._client: tuple[asyncio.AbstractEventLoop, AsyncOpenAI] | None = None

    def _openai(self) -> AsyncOpenAI:
        """The openai client; it belongs to the event loop that made it."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._client[0] is not loop:
            self._client = (loop, openai_client(self.config))
        return self._client[1]

    async def __call__(self, params: CreateMessageRequestParams) -> CreateMessageResult:
        """The model's reply to the server's messages."""
        messages: list[dict[str, Any]] = []
        if params.system_prompt:
            messages.append({"role": "system", "content": params.system_prompt})
        for message in params.messages:
            text = "\n".join(
                block.text if isinstance(block, TextContent) else f"[{block.type} content left out]"
                for block in message.content_as_list
            )
            messages.append({"role": message.role, "content": text})
        temperature = params.temperature if params.temperature is not None else self.config.temperature
        completion = await self._openai().chat.completions.create(
            model=self.config.model,
            messages=messages,  # pyright: ignore[reportArgumentType]
            max_tokens=params.max_tokens,
            temperature=temperature if temperature is not None else omit,
            stop=params.stop_sequences[:4] if params.stop_sequences else omit,
        )
        if not completion.choices:
            raise RuntimeError("the model answered with no choices")
        choice = completion.choices[0]
        return CreateMessageResult(
            role="assistant",
            content=TextContent(type="text", text=choice.message.content or ""),
            model=completion.model or self.config.model,
            stop_reason=_STOP_REASONS.get(choice.finish_reason or "", choice.finish_reason),
        )
