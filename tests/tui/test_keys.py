"""Every binding bunqtui defines has an id (so config.toml can remap it), ids are unique per
meaning, and the command palette holds the actions."""

from __future__ import annotations

from demo_home import DemoHome
from textual.binding import Binding
from tui_helpers import until

from bunqtui.tui import keys
from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.accounts import AccountsScreen


def test_every_binding_has_an_id() -> None:
    missing = [
        f"{cls.__name__}: {binding.key} → {binding.action}"
        for cls in keys.binding_classes()
        for binding in cls.__dict__.get("BINDINGS", [])
        if isinstance(binding, Binding) and not binding.id
    ]
    assert missing == []


def test_every_class_with_bindings_is_covered() -> None:
    """Found by reading the source, not by importing: a class keys.py missed would show."""
    import ast
    from pathlib import Path

    root = Path(keys.__file__).parent
    declared = set()
    for path in root.rglob("*.py"):
        module = "bunqtui.tui." + ".".join(path.relative_to(root).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(item, ast.AnnAssign | ast.Assign)
                and "BINDINGS" in ast.unparse(item).split("=")[0]
                for item in node.body
            ):
                declared.add(f"{module}.{node.name}")
    covered = {f"{c.__module__}.{c.__qualname__}" for c in keys.binding_classes()}
    assert "bunqtui.tui.screens.profiles.ProfilesTable" in declared
    assert declared - covered == set()


def test_keys_is_a_leaf() -> None:
    import ast
    from pathlib import Path

    tree = ast.parse(Path(keys.__file__).read_text(encoding="utf-8"))
    imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
    assert not [m for m in imported if m.startswith("bunqtui")]


async def test_profiles_switch_can_be_remapped(demo_home: DemoHome) -> None:
    from bunqtui.tui.screens.profiles import ProfilesScreen

    config = demo_home.home / "config.toml"
    config.write_text(config.read_text() + '\n[ui.keys]\n"profiles.switch" = "o"\n')
    workspace = type(demo_home.workspace).load(demo_home.home)
    app = BunqApp(workspace, demo=demo_home.demo)
    warnings: list[str] = []
    app.notify = lambda message, **kw: warnings.append(message)  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen) and app.screen.accounts)
        assert not [w for w in warnings if "unknown binding ids" in w]
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        keys_now = {a.binding.id: k for k, a in app.screen.active_bindings.items()}
        assert keys_now.get("profiles.switch") == "o"


def test_one_id_means_one_action() -> None:
    actions: dict[str, set[str]] = {}
    for cls in keys.binding_classes():
        for binding in cls.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding) and binding.id:
                actions.setdefault(binding.id, set()).add(binding.action)
    # the vim keys share an id across tables whose actions are named differently
    shared = {"nav.up", "nav.down", "nav.first", "nav.last"}
    assert {i: a for i, a in actions.items() if len(a) > 1 and i not in shared} == {}
    assert len(keys.binding_ids()) == len(actions)


async def test_command_palette_holds_the_actions(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, AccountsScreen) and app.screen.accounts)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for wanted in ("New profile", "Profiles", "Refresh", "Search", "Top up", "Help", "Quit"):
            assert wanted in titles, titles
        assert "Connect user" in titles or "Connect a bunq user" in titles


def test_the_example_config_lists_every_binding_id_and_uses_real_ones() -> None:
    import tomllib
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "config" / "bunqtui.example.toml"
    text = example.read_text(encoding="utf-8")
    remaps = tomllib.loads(text)["ui"]["keys"]
    ids = keys.binding_ids()
    assert set(remaps) <= set(ids)
    missing = [i for i in ids if f"#   {i} " not in text]
    assert missing == []
