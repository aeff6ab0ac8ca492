"""POST /chatkit: origin checks, authentication, size limit and error mapping around the ChatKit server.

Bad input is the client's to read, never a 500: 403 for a page on another site (or a host
name a gateway without auth does not answer to), 401 without valid credentials, 415 for a
body that is not declared as JSON, 413 for a body over `server.max_body_bytes`, 400 for a
body that is not a valid ChatKit request, 404 for a thread or item that does not exist or
belongs to someone else, and 503 with `Retry-After` while the store cannot be reached.
"""

from __future__ import annotations

import logging

from chatkit.server import StreamingResult
from chatkit.store import NotFoundError
from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import ValidationError

from gateway.auth import Authenticator, Unauthenticated
from gateway.errors import StoreUnavailableError
from gateway.origin import OriginPolicy
from gateway.server import GatewayServer
from gateway.store.context import RequestContext

logger = logging.getLogger(__name__)

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
RETRY_AFTER_S = 5
"""What a 503 asks the client to wait while the store is down."""


class Refused(Exception):
    """A request refused before it was read; answered as `{"error": message}` with `status`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers

    def response(self) -> JSONResponse:
        """The answer to the refused request."""
        return _error(self.status, self.message, headers=self.headers)


class ChatKitEndpoint:
    """The ASGI-facing handler for POST /chatkit."""

    def __init__(
        self, server: GatewayServer, auth: Authenticator, origins: OriginPolicy, max_body_bytes: int
    ) -> None:
        self.server = server
        self.auth = auth
        self.origins = origins
        self.max_body_bytes = max_body_bytes

    def admit(self, request: Request, *, json_body: bool = True) -> RequestContext:
        """Who may send this request: where it comes from (403), who sends it (401), and, with
        `json_body`, that its body is declared JSON (415); `Refused` otherwise. Reads no body.

        POST /chatkit and every `/api` route are guarded by this one check.
        """
        refusal = self.origins.refusal(request.headers)
        if refusal is not None:
            raise Refused(403, refusal)
        try:
            context = self.auth.authenticate(request.headers, request.client.host if request.client else None)
        except Unauthenticated as exc:
            raise Refused(401, str(exc), {"WWW-Authenticate": "Bearer"}) from None
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if json_body and media_type != "application/json":
            # A browser sends text/plain (or a form) cross-site without a preflight: only JSON is ours.
            shown = f"Content-Type {media_type}" if media_type else "no Content-Type"
            raise Refused(415, f"expected a JSON body with Content-Type: application/json, got {shown}")
        return context

    async def __call__(self, request: Request) -> Response:
        """Check where it comes from, authenticate, read a bounded body, and hand it to the ChatKit server."""
        try:
            context = self.admit(request)
        except Refused as refused:
            return refused.response()
        body = await self.read_body(request)
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
        except StoreUnavailableError:  # its reason (host, database) is for the log, which has it once
            retry = {"Retry-After": str(RETRY_AFTER_S)}
            return _error(503, "the store is unavailable, try again shortly", headers=retry)
        except ValueError as exc:  # the SDK's own request checks (e.g. retry on a non-user item)
            return _error(400, str(exc))
        if isinstance(result, StreamingResult):
            return StreamingResponse(result, media_type="text/event-stream", headers=SSE_HEADERS)
        return Response(result.json, media_type="application/json")

    async def read_body(self, request: Request) -> bytes | None:
        """The body, or None once it exceeds `max_body_bytes` (checked before and while reading)."""
        return await self.read_body_of(request, self.max_body_bytes)

    @staticmethod
    async def read_body_of(request: Request, limit: int) -> bytes | None:
        """`request`'s body, or None once it exceeds `limit` bytes."""
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            return None
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
        return b"".join(chunks)


def describe_validation_error(exc: ValidationError, limit: int = 3) -> str:
    """One readable line: what was wrong, where, for the first few problems."""
    problems: list[str] = []
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
