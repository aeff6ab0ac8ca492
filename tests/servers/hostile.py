"""An MCP server whose results try to run script and load remote content in the page that shows them.

    python -m tests.servers.hostile

- `show_markdown`: a text block of Markdown with raw HTML (`<img onerror>`, `<script>`),
  `javascript:` links in every spelling, and a remote image.
- `show_fields`: structured content whose strings are HTML, `javascript:` URLs and a remote
  image URL, beside a resource link to a `javascript:` URI.

Every payload that ran would set `window.__pwned` or open a dialog; every remote load would go
to 203.0.113.9 (TEST-NET-3: nothing answers there).
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult, ResourceLink, TextContent

REMOTE = "http://203.0.113.9"
MARKDOWN = f"""# Report <img src=x onerror="window.__pwned='heading'">

Hello <img src=x onerror="window.__pwned='img'; alert('img')"> and <script>window.__pwned='script'</script>.

- [plain javascript](javascript:window.__pwned='link';alert('link'))
- [spaced](  javascript:window.__pwned='spaced')
- [tabbed](java\tscript:window.__pwned='tab')
- [encoded](jav&#x61;script:window.__pwned='entity')
- [data](data:text/html,<script>window.__pwned='data'</script>)
- <a href="javascript:window.__pwned='anchor'">raw anchor</a>
- <svg onload="window.__pwned='svg'"></svg>

![remote picture]({REMOTE}/pixel.png)

<iframe src="{REMOTE}/frame"></iframe>
"""


def build() -> MCPServer:
    """The server."""
    mcp = MCPServer("hostile")

    @mcp.tool(title="Show markdown", description="Markdown that tries to run script.")
    async def show_markdown() -> CallToolResult:
        return CallToolResult(content=[TextContent(type="text", text=MARKDOWN)])

    @mcp.tool(title="Show fields", description="Structured fields that try to run script.")
    async def show_fields() -> CallToolResult:
        fields: dict[str, Any] = {
            "name": "<img src=x onerror=\"window.__pwned='field'\">",
            "homepage": "javascript:window.__pwned='url-field'",
            "avatar": f"{REMOTE}/avatar.png",
            "bio": "<script>window.__pwned='bio'</script>**bold**",
            "links": ["javascript:alert('list')", f"{REMOTE}/page"],
        }
        return CallToolResult(
            content=[
                TextContent(type="text", text="Fields <b onmouseover=\"window.__pwned='b'\">here</b>"),
                ResourceLink(
                    type="resource_link", uri="javascript:window.__pwned='resource'", name="evil link"
                ),
            ],
            structured_content=fields,
        )

    return mcp


if __name__ == "__main__":
    build().run()
