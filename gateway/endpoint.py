"""POST /chatkit: authentication, size limit and error mapping around the ChatKit server.

Bad input is the client's to read, never a 500: 401 without valid credentials, 413 for a
body over `server.max_body_bytes`, 400 for a body that is not a valid ChatKit request, 404
for a thread or item that does not exist or belongs to someone else.
"""

from __future__ import annotations

import logging

from chatkit.server import StreamingResult
from chatkit.store import NotFoundError
from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import ValidationError

from gateway.auth import Authenticator, Unauthenticated
from gateway.server import GatewayServer

logger = logging.getLogger(__name__)

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class ChatKitEndpoint:
    """The ASGI-facing handler for POST /chatkit."""

    def __init__(self, server: GatewayServer, auth: Authenticator, max_body_bytes: int) -> None:
        self.server = server
        self.auth = auth
        self.max_body_bytes = max_body_bytes

    async def __call__(self, request: Request) -> Response:
        """Authenticate, read a bounded body, and hand it to the ChatKit server."""
        try:
            context = self.auth.authenticate(request.headers)
        except Unauthenticated as exc:
            return _error(401, str(exc), headers={"WWW-Authenticate": "Bearer"})
        body = await self._read_body(request)
        if body is None:
            return _error(413, f"the request body is larger than {self.max_body_bytes} bytes")
        if not body.strip():
            return _error(400, "the request body is empty: expected a ChatKit request as JSON")
        try:
            result = await self.server.process(body, context)
        except ValidationError as exc:
            return _error(400, describe_validation_error(exc))
        except NotFoundError as exc:
            return _error(404, str(exc) or "not found")
        except ValueError as exc:  # the SDK's own request checks (e.g. retry on a non-user item)
            return _error(400, str(exc))
        if isinstance(result, StreamingResult):
            return StreamingResponse(result, media_type="text/event-stream", headers=SSE_HEADERS)
        return Response(result.json, media_type="application/json")

    async def _read_body(self, request: Request) -> bytes | None:
        """The body, or None once it exceeds the limit (checked before and while reading)."""
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_body_bytes:
            return None
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
        return b"".join(chunks)


def describe_validation_error(exc: ValidationError, limit: int = 3) -> str:
    """One readable line: what was wrong, where, for the first few problems."""
    problems = []
    for error in exc.errors(include_url=False)[:limit]:
        if error["type"] == "json_invalid":
            return f"the request body is not valid JSON: {error['msg']}"
        where = ".".join(str(part) for part in error["loc"] if not str(part).startswith("function-"))
        problems.append(f"{where or 'request'}: {error['msg']}")
    more = exc.error_count() - limit
    suffix = f" (and {more} more)" if more > 0 else ""
    return "not a valid ChatKit request: " + "; ".join(problems) + suffix


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)
