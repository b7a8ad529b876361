"""The emulator's one route table (emulator/routes.py): no route twice, none that another of the
same method could shadow, and docs/emulator.md's route table lists exactly these routes."""

from __future__ import annotations

import inspect
import re
from functools import partial
from pathlib import Path

from bunqtui.emulator.router import EITHER, INSTALLATION, NONE, SESSION, Route, accepting
from bunqtui.emulator.routes import ROUTES

DOC = Path(__file__).parents[2] / "docs" / "emulator.md"
TOKEN = {
    NONE: "none",
    INSTALLATION: "installation",
    SESSION: "session",
    EITHER: "installation or session",
}
ROW = re.compile(r"^\| (GET|POST|PUT|DELETE|PATCH) \| `([^`]+)` \| ([^|]+) \| ([^|]+) \|$")


def _signed(route: Route) -> str:
    if route.signed is accepting:
        return "when accepting"
    return "yes" if route.signed is True else "no"


def _documented() -> list[tuple[str, str, str, str]]:
    section = DOC.read_text(encoding="utf-8").split("### Route table", 1)[1].split("\n## ", 1)[0]
    rows = [ROW.match(line) for line in section.splitlines()]
    return [(m[1], m[2], m[3].strip(), m[4].strip()) for m in rows if m]


def _overlap(a: str, b: str) -> bool:
    """Could one path match both templates? ({id} matches any one segment.)"""
    sa, sb = a.split("/"), b.split("/")
    return len(sa) == len(sb) and all(
        x == y or "{id}" in (x, y) for x, y in zip(sa, sb, strict=True)
    )


def test_no_route_twice() -> None:
    keys = [(r.method, r.template) for r in ROUTES]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


def test_no_route_shadows_another() -> None:
    # Then the table's order cannot decide which handler answers.
    shadowed = [
        (a.method, a.template, b.template)
        for i, a in enumerate(ROUTES)
        for b in ROUTES[i + 1 :]
        if a.method == b.method and _overlap(a.template, b.template)
    ]
    assert shadowed == []


def test_every_handler_is_a_top_level_coroutine_function_of_a_handler_module() -> None:
    for route in ROUTES:
        handler = route.handler.func if isinstance(route.handler, partial) else route.handler
        assert inspect.iscoroutinefunction(handler), route.template
        assert handler.__module__.startswith("bunqtui.emulator.handlers_"), route.template
        assert "<locals>" not in handler.__qualname__, route.template  # no nested closures


def test_the_docs_list_every_route_with_its_token_and_signature() -> None:
    documented = _documented()
    in_code = [(r.method, r.template, TOKEN[r.auth], _signed(r)) for r in ROUTES]
    assert documented == in_code
