"""The OpenAPI document of the API, as committed in ``resources/api/openapi.json``.

Regenerate with ``homeroom-server openapi > resources/api/openapi.json``; a test checks that the
committed file equals what the running server serves at ``/openapi.json``.
"""

from __future__ import annotations

import json
from typing import Any

from desktop.resources import resource
from server.app import create_app

COMMITTED = ("api", "openapi.json")


def document() -> dict[str, Any]:
    """The document the server generates from its routes."""
    return create_app(None).openapi()


def committed_document() -> dict[str, Any]:
    """The document as shipped in ``resources/api/openapi.json``."""
    loaded: dict[str, Any] = json.loads(resource(*COMMITTED).read_text(encoding="utf-8"))
    return loaded
