"""Results and schemas from a real MCP server nobody here wrote (mcp-server-time) render cleanly."""

from __future__ import annotations

import sys
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters

from gateway.config.render import RenderConfig
from gateway.render.forms import coerce_form_values
from gateway.render.renderer import Renderer
from gateway.vocabulary.tools import ServerStatus, ToolInfo
from tests.render_cases.checks import check, of_type, submit, texts

RENDERER = Renderer(RenderConfig(templates_dir="no-such-dir"), Path(__file__).parent)


async def test_mcp_server_time_results_forms_and_errors_render() -> None:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "mcp_server_time", "--local-timezone", "UTC"]
    )
    with anyio.fail_after(30):
        async with Client(params) as client:
            listed = (await client.list_tools()).tools
            now = await client.call_tool("get_current_time", {"timezone": "UTC"})
            failed = await client.call_tool(
                "convert_time", {"source_timezone": "UTC", "time": "25:99", "target_timezone": "Europe/Oslo"}
            )
    tools = {t.name: ToolInfo.from_tool("time", t) for t in listed}

    card = RENDERER.result(
        tools["get_current_time"], {"timezone": "UTC"}, now, siblings=[tools["convert_time"]]
    )
    tree = check(card)
    assert {"Timezone", "Datetime", "Day of week", "Is dst"} <= {n["value"] for n in of_type(tree, "Caption")}
    assert "timezone: UTC" in card.copy_text and "day_of_week:" in card.copy_text

    error = RENDERER.result(tools["convert_time"], {}, failed)
    assert "Invalid time format" in texts(check(error)) and error.copy_text.startswith(
        "Error from time.convert_time"
    )

    form = check(RENDERER.form(tools["convert_time"]))
    (action,) = [n["onSubmitAction"] for n in of_type(form, "Form")]
    sent = submit(
        action,
        {"input.source_timezone": "UTC", "input.time": "16:30", "input.target_timezone": "Asia/Tokyo"},
    )
    arguments, problems = coerce_form_values(tools["convert_time"].input_schema, sent["payload"]["input"])
    assert problems == {} and arguments == {
        "source_timezone": "UTC",
        "time": "16:30",
        "target_timezone": "Asia/Tokyo",
    }

    status = ServerStatus(name="time", state="up", transport="stdio", tool_count=len(tools))
    catalog = RENDERER.catalog(list(tools.values()), [status])
    assert "read-only" in texts(check(catalog)) and "time (up; 2 tools" in catalog.copy_text
