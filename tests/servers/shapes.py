"""A small MCP server whose tools take arrays of objects and constrained values, for form tests.

    python -m tests.servers.shapes

Every tool answers with the arguments it got, as structured content (`tag_files` as one line).

- `book_trip {travellers: [{name, age, meals: [string], window}] (1 to 3), contact, website,
  nights, code, start, legs: [[number]], extras: [object]}`: pydantic models, so the item schema
  sits behind a `$ref`; constraints on every kind of field.
- `tag_files {batches: [{folder, files: [{path, label}]}]}`: an array of objects inside one.
- `tag_account {account_id, tags: [{path, label}]}`: an identifying argument beside a group.
- `sign_up {email, username, homepage, age, ratio, born, meet_at, tags, scores}`: constraints and
  formats on plain fields (no group).
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import BaseModel, Field


class Traveller(BaseModel):
    """One person on the trip."""

    name: Annotated[str, Field(max_length=20)]
    age: Annotated[int, Field(ge=0, le=120)]
    meals: list[str] = Field(default_factory=list[str])
    window: bool = False


class FileTag(BaseModel):
    """A label for one file."""

    path: str
    label: str = ""


class Batch(BaseModel):
    """Files in one folder."""

    folder: str
    files: list[FileTag] = Field(default_factory=list[FileTag])


def build() -> MCPServer:
    """The server."""
    mcp = MCPServer("shapes")

    @mcp.tool(description="Book a trip for up to three travellers.")
    async def book_trip(
        travellers: Annotated[list[Traveller], Field(min_length=1, max_length=3)],
        contact: Annotated[str, Field(json_schema_extra={"format": "email"})],
        nights: Annotated[int, Field(ge=1, le=30)] = 1,
        code: Annotated[str | None, Field(pattern=r"^[a-z]+$", max_length=8)] = None,
        website: Annotated[str | None, Field(json_schema_extra={"format": "uri"})] = None,
        start: Annotated[str | None, Field(json_schema_extra={"format": "date"})] = None,
        budget: Annotated[float | None, Field(gt=0, multiple_of=0.5)] = None,
        legs: list[list[float]] | None = None,
        extras: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        return {
            "travellers": [t.model_dump() for t in travellers],
            "contact": contact,
            "nights": nights,
            "code": code,
            "website": website,
            "start": start,
            "budget": budget,
            "legs": legs,
            "extras": extras,
        }

    @mcp.tool(description="Label files, folder by folder.")
    async def tag_files(batches: list[Batch]) -> dict[str, Any]:
        return {"tagged": ", ".join(f"{b.folder}/{f.path}: {f.label}" for b in batches for f in b.files)}

    @mcp.tool(description="Label one account's files.")
    async def tag_account(account_id: str, tags: list[FileTag]) -> dict[str, Any]:
        return {"account_id": account_id, "tags": [t.model_dump() for t in tags]}

    @mcp.tool(description="Sign up.")
    async def sign_up(
        email: Annotated[str, Field(json_schema_extra={"format": "email"})],
        username: Annotated[str, Field(min_length=3, max_length=20, pattern=r"^[a-z]+$")],
        homepage: Annotated[str | None, Field(json_schema_extra={"format": "uri"})] = None,
        age: Annotated[int | None, Field(ge=18, le=99)] = None,
        ratio: Annotated[float | None, Field(gt=0, lt=1)] = None,
        born: Annotated[str | None, Field(json_schema_extra={"format": "date"})] = None,
        meet_at: Annotated[str | None, Field(json_schema_extra={"format": "date-time"})] = None,
        tags: Annotated[list[str] | None, Field(min_length=1, max_length=5)] = None,
        scores: list[Annotated[int, Field(ge=1, le=10)]] | None = None,
    ) -> dict[str, Any]:
        return {"email": email, "username": username, "age": age}

    return mcp


if __name__ == "__main__":
    build().run()
