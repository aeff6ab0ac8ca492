"""SQLModel tables behind the ChatKit store, the audit log of MCP calls and single-use claims.

Rows keep the SDK's own JSON of each object in ``data``, so a new ChatKit item type needs no
migration; the other columns exist to scope (``user_id``), find (``id``) and order (``seq``,
``created_at``) rows through indexes, so a page costs the same in a thread of 10 or 100,000
items.

The tables live in their own ``MetaData`` (not ``SQLModel.metadata``): another SQLModel user in
the same process, such as the todo server, must not get its tables created in our database.
"""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
)
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel
from typing_extensions import TypeIs


class _Base(SQLModel, registry=registry()):
    """Gives the store's tables a MetaData of their own."""


class ThreadRow(_Base, table=True):
    """One ChatKit thread: ``data`` is ``ThreadMetadata`` as JSON."""

    __tablename__ = "chatkit_threads"  # pyright: ignore[reportAssignmentType]
    # Listing a user's threads walks this index in created_at order, id breaking ties.
    __table_args__ = (Index("ix_chatkit_threads_user_created", "user_id", "created_at", "id"),)

    id: str = Field(sa_column=Column(String, primary_key=True))
    user_id: str = Field(sa_column=Column(String, nullable=False))
    # Naive on purpose: ChatKit stamps datetime.now() without a zone (stack.md pitfall h).
    created_at: NaiveDatetime = Field(nullable=False)
    # Touched by every write to the thread or its items: the thread's last activity.
    updated_at: NaiveDatetime = Field(nullable=False)
    # The seq last given to an item of this thread. Taking the next one is an UPDATE of this
    # row, which is also the ownership check and the lock that orders concurrent writers.
    last_seq: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    data: str = Field(sa_column=Column(Text, nullable=False))


class ItemRow(_Base, table=True):
    """One thread item: ``data`` is the SDK's JSON of the ``ThreadItem``; ``seq`` orders the thread."""

    __tablename__ = "chatkit_items"  # pyright: ignore[reportAssignmentType]
    # save_item upserts on it; load_item and page cursors resolve an item id through it.
    __table_args__ = (UniqueConstraint("thread_id", "id", name="uq_chatkit_items_thread_item"),)

    # The key is (thread_id, seq), so a page is one range scan of the key index from the
    # cursor's seq, in either direction. No index orders seq alone on purpose: PostgreSQL
    # would then walk it backwards for a thread's newest page, filtering out every newer item
    # of every other thread (measured: 13 ms instead of 1 ms at 110,000 rows).
    thread_id: str = Field(
        sa_column=Column(String, ForeignKey("chatkit_threads.id", ondelete="CASCADE"), primary_key=True)
    )
    # The item's position in its thread: the thread's next last_seq, so insertion order, never
    # reused, and items stamped in the same microsecond still page in one fixed order. A
    # replaced item (save_item) keeps its seq.
    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    id: str = Field(sa_column=Column(String, nullable=False))
    user_id: str = Field(sa_column=Column(String, nullable=False))
    created_at: NaiveDatetime = Field(nullable=False)
    type: str = Field(sa_column=Column(String, nullable=False))
    data: str = Field(sa_column=Column(Text, nullable=False))


class AttachmentRow(_Base, table=True):
    """Attachment metadata (not the file): ``data`` is the SDK's ``Attachment`` as JSON."""

    __tablename__ = "chatkit_attachments"  # pyright: ignore[reportAssignmentType]

    id: str = Field(sa_column=Column(String, primary_key=True))
    user_id: str = Field(sa_column=Column(String, nullable=False))
    data: str = Field(sa_column=Column(Text, nullable=False))


class AuditRow(_Base, table=True):
    """One MCP call the gateway made: who, what, with which arguments, and how it ended."""

    __tablename__ = "gateway_audit"  # pyright: ignore[reportAssignmentType]
    # Reading the log is "since when", oldest first (id breaks ties), for everyone or one user;
    # pruning is "before when".
    __table_args__ = (
        Index("ix_gateway_audit_at", "at", "id"),
        Index("ix_gateway_audit_user_at", "user_id", "at", "id"),
    )

    # BIGSERIAL on PostgreSQL; on SQLite only INTEGER PRIMARY KEY autoincrements (the rowid).
    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    # Naive UTC, like every other stamp here.
    at: NaiveDatetime = Field(sa_column=Column(DateTime, nullable=False))
    user_id: str = Field(sa_column=Column(String, nullable=False))
    thread_id: str | None = Field(default=None, sa_column=Column(String, nullable=True))
    server: str = Field(sa_column=Column(String, nullable=False))
    tool: str = Field(sa_column=Column(String, nullable=False))
    # JSON text, already redacted by the caller.
    arguments: str = Field(sa_column=Column(Text, nullable=False))
    outcome: str = Field(sa_column=Column(String, nullable=False))
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    duration_ms: float = Field(sa_column=Column(Float, nullable=False))
    via: str = Field(sa_column=Column(String, nullable=False))
    confirmed_by: str | None = Field(default=None, sa_column=Column(String, nullable=True))


class ClaimRow(_Base, table=True):
    """A key used once (a confirmation card's): its primary key is what makes the use single."""

    __tablename__ = "gateway_claims"  # pyright: ignore[reportAssignmentType]

    key: str = Field(sa_column=Column(String, primary_key=True))
    user_id: str = Field(sa_column=Column(String, nullable=False))
    claimed_at: NaiveDatetime = Field(sa_column=Column(DateTime, nullable=False))


def table_of(model: type[_Base]) -> Table:
    """The Core ``Table`` of one of the models above: its mapper's, as SQLModel leaves ``__table__`` untyped."""
    table = inspect(model).local_table
    assert _is_table(table)
    return table


def _is_table(value: object) -> TypeIs[Table]:
    return isinstance(value, Table)


THREADS = table_of(ThreadRow)
ITEMS = table_of(ItemRow)
ATTACHMENTS = table_of(AttachmentRow)
AUDIT = table_of(AuditRow)
CLAIMS = table_of(ClaimRow)
TABLES = (THREADS, ITEMS, ATTACHMENTS, AUDIT, CLAIMS)
"""Every table of the store, parents first (the order to create them in)."""
