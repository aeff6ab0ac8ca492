"""GET /: a page that embeds the official ChatKit web component, pointed at this gateway.

The component is served only from OpenAI's CDN (no npm build ships it), so a machine with no
internet cannot load it: the page then says so in one line and shows the gateway's own chat
pane instead (GET /chat, framed: it keeps its own strict Content Security Policy).
"""

from __future__ import annotations

import html
import json
from typing import Any

from gateway.vocabulary.json import is_object

CHATKIT_JS = "https://cdn.platform.openai.com/deployments/chatkit/chatkit.js"
LOAD_TIMEOUT_MS = 8000


def chatkit_options(ui: Any, api_url: str) -> dict[str, Any]:
    """The options object handed to `<openai-chatkit>.setOptions()`, from the `ui:` section."""
    prompts = [
        {"label": p, "prompt": p} if isinstance(p, str) else {"label": p.label, "prompt": p.prompt}
        for p in ui.starter_prompts
    ]
    options: dict[str, Any] = {
        "api": {"url": api_url, "domainKey": ui.domain_key},
        "startScreen": {"greeting": ui.greeting, "prompts": prompts},
        "composer": {"placeholder": ui.placeholder},
        "history": {"enabled": True, "showDelete": True, "showRename": True},
        "threadItemActions": {"feedback": True, "retry": True},
    }
    if ui.theme is not None:
        options["theme"] = ui.theme if is_object(ui.theme) else {"colorScheme": ui.theme}
    return options


def render_page(ui: Any, api_url: str = "/chatkit") -> str:
    """The whole HTML page."""
    options = json.dumps(chatkit_options(ui, api_url)).replace("<", "\\u003c")
    title = html.escape(ui.title)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  html, body {{ margin: 0; height: 100%; font-family: system-ui, sans-serif; }}
  body {{ display: flex; flex-direction: column; }}
  header {{ padding: 10px 16px; border-bottom: 1px solid #ddd; display: flex; gap: 16px; align-items: baseline; }}
  header h1 {{ font-size: 16px; margin: 0; }}
  header a {{ font-size: 13px; color: #555; }}
  main {{ flex: 1; min-height: 0; display: flex; }}
  openai-chatkit {{ flex: 1; height: 100%; }}
  #offline {{ padding: 6px 16px; font-size: 13px; background: #fff8e1; border-bottom: 1px solid #f0e0a0; }}
  #offline h2 {{ display: inline; font-size: 13px; margin: 0 6px 0 0; }}
  #offline p {{ display: inline; margin: 0; }}
  #fallback {{ flex: 1; border: 0; width: 100%; height: 100%; }}
  #offline[hidden], openai-chatkit[hidden], #fallback[hidden] {{ display: none; }}
</style>
</head>
<body>
<header><h1>{title}</h1><a href="/inspector">inspector</a><a href="/health">health</a></header>
<section id="offline" role="alert" hidden>
  <h2>The chat UI could not be loaded.</h2>
  <p>OpenAI's ChatKit web component is served only from its CDN (<code>{CHATKIT_JS}</code>),
  which this browser cannot reach; this is the gateway's built-in chat, speaking the same
  protocol to <code>POST {html.escape(api_url)}</code>.</p>
</section>
<main>
  <openai-chatkit id="chat"></openai-chatkit>
  <iframe id="fallback" title="Chat" hidden></iframe>
</main>
<script>
  const OPTIONS = {options};
  const chat = document.getElementById("chat");
  let loaded = false;
  function offline() {{
    if (loaded) return;
    chat.hidden = true;
    document.getElementById("offline").hidden = false;
    const fallback = document.getElementById("fallback");
    fallback.src = "/chat" + location.hash;
    fallback.hidden = false;
    document.body.dataset.chatkit = "unavailable";
  }}
  customElements.whenDefined("openai-chatkit").then(() => {{
    if (document.body.dataset.chatkit === "unavailable") return;  // too late: the fallback is in use
    loaded = true;
    document.body.dataset.chatkit = "ready";
    chat.setOptions(OPTIONS);
  }});
  setTimeout(offline, {LOAD_TIMEOUT_MS});
</script>
<script src="{CHATKIT_JS}" async onerror="offline()"></script>
</body>
</html>
"""
