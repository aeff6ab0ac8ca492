"""The model client, and its HTTP transport: a Chat Completions stream that ends before `data: [DONE]` is
an error, not an answer.

A proxy or a model server that goes away midway may end a stream cleanly; the openai client
then stops reading without complaint, and openai-agents (which asks for a finish reason only
from OpenAI itself) would take the partial reply as the whole answer. Every OpenAI-compatible
server ends its Chat Completions stream with `data: [DONE]`, so its absence marks a reply that
was cut off; the turn then ends with a message saying so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
from openai import AsyncOpenAI, DefaultAsyncHttpxClient

from gateway.config import ModelConfig

_DONE = b"data: [DONE]"


def openai_client(config: ModelConfig) -> AsyncOpenAI:
    """The openai client for `config`'s endpoint (it belongs to the event loop that makes it)."""
    return AsyncOpenAI(
        api_key=config.api_key or ("unused" if config.base_url else None),
        base_url=config.base_url,
        max_retries=config.retries,
        timeout=config.timeout,
        http_client=DefaultAsyncHttpxClient(transport=CompleteStreams()),
    )


class CompleteStreams(httpx2.AsyncBaseTransport):
    """Wraps a transport: Chat Completions event streams must end with `data: [DONE]`."""

    def __init__(self, inner: httpx2.AsyncBaseTransport | None = None) -> None:
        self._inner = inner or httpx2.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self._inner.handle_async_request(request)
        is_stream = response.headers.get("content-type", "").startswith("text/event-stream")
        if is_stream and request.url.path.endswith("/chat/completions"):
            response.stream = _UntilDone(response.stream)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class _UntilDone(httpx2.AsyncByteStream):
    def __init__(self, inner: httpx2.AsyncByteStream | httpx2.SyncByteStream) -> None:
        if not isinstance(inner, httpx2.AsyncByteStream):
            raise TypeError("an async transport gave a sync stream")
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        tail = b""
        async for chunk in self._inner:
            tail = (tail + chunk)[-64:]
            yield chunk
        if _DONE not in tail:
            raise httpx2.RemoteProtocolError(
                "the model's reply stream ended before `data: [DONE]`: it was cut off"
            )

    async def aclose(self) -> None:
        await self._inner.aclose()
