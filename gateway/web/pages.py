"""GET /chat and GET /inspector: the gateway's own pages, served from the package.

Both are an HTML shell around plain JavaScript modules in `static/` (no build step, nothing
from a CDN). They show what MCP servers return, which is untrusted, so they are served with a
Content Security Policy that runs only the gateway's own scripts and loads nothing from
elsewhere: no inline script, no remote images, styles or connections. The widget renderer
is safe by construction (text as text, no HTML from results); the policy is the second wall.
"""

from __future__ import annotations

import html
import json
from typing import Any

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self'",  # GET / frames the chat pane when OpenAI's component cannot load
    ]
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def pane_options(ui: Any, api_url: str = "/chatkit") -> dict[str, Any]:
    """What the chat pane reads from the `ui:` section."""
    prompts = [
        {"label": p, "prompt": p} if isinstance(p, str) else {"label": p.label, "prompt": p.prompt}
        for p in ui.starter_prompts
    ]
    return {
        "api": api_url,
        "title": ui.title,
        "greeting": ui.greeting,
        "prompts": prompts,
        "placeholder": ui.placeholder,
    }


def _shell(title: str, options: dict[str, Any], body: str, script: str) -> str:
    # A JSON data block is never run; with "<" escaped no value can close it or open a comment.
    config = json.dumps(options).replace("<", "\\u003c")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="/static/widgets.css">
<link rel="stylesheet" href="/static/app.css">
<script type="application/json" id="gateway-config">{config}</script>
<script type="module" src="/static/{script}"></script>
</head>
<body>
{body}
</body>
</html>
"""


def render_chat_page(ui: Any, api_url: str = "/chatkit") -> str:
    """The chat pane on its own (GET /chat; GET / frames it when the CDN is out of reach)."""
    body = '<div class="page-chat" data-chat-pane></div>'
    return _shell(ui.title, pane_options(ui, api_url), body, "chat-page.js")


def render_inspector_page(ui: Any, api_url: str = "/chatkit") -> str:
    """The inspector (GET /inspector)."""
    title = html.escape(ui.title)
    body = f"""<header class="page-header">
  <h1>Inspector <span>{title}</span></h1>
  <nav aria-label="Pages"><a href="/">Chat</a> <a href="/health">Health</a> <a href="/openapi.json">OpenAPI</a></nav>
</header>
<div id="inspector" class="inspector"></div>"""
    return _shell(f"Inspector · {ui.title}", pane_options(ui, api_url), body, "inspector.js")
