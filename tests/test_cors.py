"""server.cors_origins lets a ChatKit front end served elsewhere call /chatkit; others get no CORS grant."""

from __future__ import annotations

from pathlib import Path

import httpx2

from tests.support.gateway import running_local_gateway

FRONT_END = "http://chat.example.test"


def test_only_configured_origins_get_cors_headers(tmp_path: Path) -> None:
    with (
        running_local_gateway(tmp_path, server={"cors_origins": [FRONT_END]}) as gateway,
        httpx2.Client(base_url=gateway.url) as http,
    ):
        preflight = http.options(
            "/chatkit",
            headers={
                "Origin": FRONT_END,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,authorization",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == FRONT_END
        assert "POST" in preflight.headers["access-control-allow-methods"]

        listed = http.post(
            "/chatkit", json={"type": "threads.list", "params": {}}, headers={"Origin": FRONT_END}
        )
        assert listed.status_code == 200
        assert listed.headers["access-control-allow-origin"] == FRONT_END

        stranger = http.post(
            "/chatkit",
            json={"type": "threads.list", "params": {}},
            headers={"Origin": "http://evil.example.test"},
        )
        assert "access-control-allow-origin" not in stranger.headers
        assert stranger.status_code == 403  # and the request itself is refused, not only its CORS grant
