"""The OpenAPI document of the API, as committed in ``resources/api/openapi.json``.

Regenerate with ``homeroom-server openapi > resources/api/openapi.json``; a test checks that the
committed file equals what the running server serves at ``/openapi.json``.
"""

from __future__ import annotations

from typing import Any

from server.app import create_app


def document() -> dict[str, Any]:
    return create_app(None).openapi()
