"""Every status the server can answer is in its OpenAPI document.

The statuses are read from the server's code, not listed by hand: every ``ApiProblem(<status>``
and ``_error(<status>`` in the package, and the helpers of ``server.problems`` that return one.
What the body middleware, the app-wide dependencies and the error handlers answer can come from
any endpoint, so each endpoint documents it (404 and 405 of those are for addresses and methods
the document does not have). The fuzzing test (``test_fuzz_openapi``) checks the same from
outside, per endpoint."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from types import ModuleType

import server
import server.app
import server.body
import server.deps
import server.problems
import server.ranges
import server.unexpected
from server.app import create_app
from server.routes.common import PREFIX

PACKAGE = Path(server.__file__).parent
APP_WIDE: tuple[ModuleType, ...] = (
    server.body,
    server.app,
    server.ranges,
    server.deps,
    server.unexpected,
)
NOT_AN_OPERATION = {404, 405}
"""Answered for a path or a method that the document has no operation for."""
PUBLIC = {
    f"{PREFIX}/ping",
    f"{PREFIX}/auth/login",
    f"{PREFIX}/auth/refresh",
    f"{PREFIX}/auth/logout",
}


def _first_int(call: ast.Call) -> int | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, int):
        return call.args[0].value
    return None


def _helpers() -> dict[str, int]:
    """``server.problems``' functions and the status each returns."""
    found: dict[str, int] = {}
    tree = ast.parse(inspect.getsource(server.problems))
    for function in tree.body:
        if isinstance(function, ast.FunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ApiProblem":
                    status = _first_int(node)
                    if status is not None:
                        found[function.name] = status
    return found


def _statuses(source: str) -> set[int]:
    helpers = _helpers()
    found: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        if name in ("ApiProblem", "_error"):
            status = _first_int(node)
            if status is not None:
                found.add(status)
        elif name in helpers:
            found.add(helpers[name])
    return found


def _operations() -> dict[tuple[str, str], set[int]]:
    paths = create_app(None).openapi()["paths"]
    return {
        (method, path): {int(status) for status in operation["responses"]}
        for path, methods in paths.items()
        for method, operation in methods.items()
    }


def test_what_any_endpoint_may_answer_is_documented_on_each() -> None:
    everywhere = set().union(*(_statuses(inspect.getsource(m)) for m in APP_WIDE))
    everywhere -= NOT_AN_OPERATION | {401}
    assert {400, 408, 413, 415, 422, 426, 500, 503} <= everywhere  # the reading works
    for (method, path), documented in _operations().items():
        missing = everywhere - documented
        assert not missing, (method, path, sorted(missing))
        if path not in PUBLIC:
            assert 401 in documented, (method, path)


def test_every_status_in_the_code_is_documented_somewhere() -> None:
    in_code = set().union(
        *(_statuses(file.read_text(encoding="utf-8")) for file in PACKAGE.rglob("*.py"))
    )
    documented = set().union(*_operations().values())
    assert in_code - NOT_AN_OPERATION <= documented, sorted(in_code - documented)
