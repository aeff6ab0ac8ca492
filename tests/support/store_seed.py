"""Put items in a gateway database directly, for states the chat itself never creates."""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime

from chatkit.types import ClientToolCallItem

from gateway.store.context import RequestContext
from gateway.store.sql import SQLStore


def add_pending_client_tool_call(url: str, thread_id: str, *, user_id: str) -> str:
    """Append a pending client tool call to `thread_id`; return its call id."""
    call_id = f"call_{secrets.token_hex(6)}"

    async def run() -> None:
        async with SQLStore(url) as store:
            context = RequestContext(user_id=user_id)
            thread = await store.load_thread(thread_id, context)
            item = ClientToolCallItem(
                id=store.generate_item_id("tool_call", thread, context),
                thread_id=thread_id,
                created_at=datetime.now(),
                status="pending",
                call_id=call_id,
                name="copy_to_clipboard",
                arguments={"text": "hello"},
            )
            await store.add_thread_item(thread_id, item, context)

    asyncio.run(run())
    return call_id
