"""Keys do what a daily user of lazygit or k9s expects: G to the true end (Esc stops it),
Esc undoes one thing at a time, j k g G everywhere, labels say what comes next, checkboxes
read without colour, and a progress line never claims "loading…" after it stopped."""

from __future__ import annotations

import pytest
from demo_home import DemoHome
from textual.widgets import Input, Static
from tui_helpers import accounts_loaded, open_account, until

from bunqtui.tui.app import BunqApp
from bunqtui.tui.screens.accounts import AccountsScreen
from bunqtui.tui.screens.detail import PaymentDetailScreen
from bunqtui.tui.screens.help import HelpScreen
from bunqtui.tui.widgets.footer import BunqFooter
from bunqtui.tui.widgets.lists import TickBox, VimScroll


def _info(screen: object) -> str:
    return str(screen.query_one("#payments-info", Static).content)  # type: ignore[attr-defined]


def _main_account(demo_home: DemoHome):  # type: ignore[no-untyped-def]
    world = demo_home.server.world
    return next(
        a
        for a in world.accounts.values()
        if a.owner_id == world.demo_user_id and a.description == "Main account"
    )


async def test_G_goes_to_the_oldest_payment_from_a_cold_cache(demo_home: DemoHome) -> None:
    main = _main_account(demo_home)
    oldest = min(p.id for p in main.payments)
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await open_account(pilot, app, "Main account")
        await until(pilot, lambda: len(payments.cached) > 0 and not payments.fetching)
        assert not payments.complete
        await pilot.press("G")  # once: not 200 rows further, the end of the history
        selected = payments.selected_payment
        await until(pilot, lambda: (p := selected()) is not None and p.id == oldest, timeout=30)
        assert payments.complete and len(payments.cached) == len(main.payments)
        assert payments.table.cursor_row == len(main.payments) - 1
        assert "interrupted" not in _info(payments) and "loading" not in _info(payments)


async def test_esc_stops_G_and_the_line_says_interrupted(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await open_account(pilot, app, "Main account")
        await until(pilot, lambda: len(payments.cached) > 0 and not payments.fetching)
        demo_home.server.emulator.faults.set({"latency_ms": 300})  # pages slow enough to stop
        await pilot.press("G")
        await until(pilot, lambda: "downloading the full history" in _info(payments))
        await pilot.press("escape")  # stops the download; the screen stays
        await until(pilot, lambda: not payments.downloading)
        demo_home.server.emulator.faults.clear()
        assert app.screen is payments and not payments.complete
        assert "interrupted — r to resume" in _info(payments)
        assert "downloading" not in _info(payments) and "loading" not in _info(payments)
        await pilot.press("r")  # resumes the history where it stopped
        await until(pilot, lambda: payments.complete, timeout=30)
        assert "interrupted" not in _info(payments)


async def test_a_failed_load_says_interrupted_not_loading(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await open_account(pilot, app, "Main account")
        await until(pilot, lambda: len(payments.cached) > 0 and not payments.fetching)
        demo_home.server.emulator.faults.set({"http_500": 50})
        await pilot.press("L")
        await until(pilot, lambda: payments.interrupted == "history", timeout=30)
        demo_home.server.emulator.faults.clear()
        assert "interrupted — r to resume" in _info(payments)
        assert "downloading" not in _info(payments)


async def test_esc_clears_the_filter_before_going_back(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await open_account(pilot, app, "Main account")
        await until(pilot, lambda: len(payments.cached) > 0 and not payments.fetching)
        await pilot.press("slash", *"coffee", "enter")  # kept: back on the table
        await until(pilot, lambda: len(payments.found) > 0)
        assert payments.table.has_focus and payments.payment_filter
        await pilot.press("escape")  # first Esc: the filter goes, the screen stays
        assert app.screen is payments and not payments.payment_filter
        assert not payments.query_one("#payments-filter", Input).display
        assert len(payments.table.source) == len(payments.cached)
        await pilot.press("escape")  # second Esc: back
        assert isinstance(app.screen, AccountsScreen)


async def test_detail_r_says_what_it_shows_next(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await open_account(pilot, app, "Main account")
        await until(pilot, lambda: len(payments.cached) > 0)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PaymentDetailScreen))
        detail = app.screen

        def label_of_r() -> list[str]:
            return [
                a.binding.description
                for key, a in detail.active_bindings.items()
                if key == "r" and a.enabled
            ]

        assert label_of_r() == ["Raw JSON"]
        await pilot.press("r")
        assert detail.query_one("#detail-raw").display
        await until(pilot, lambda: label_of_r() == ["Details"])
        footer = detail.query_one(BunqFooter)
        await until(pilot, lambda: "show_raw(False)" in footer.shown)
        await pilot.press("r")
        assert not detail.query_one("#detail-raw").display
        assert label_of_r() == ["Raw JSON"]


@pytest.mark.parametrize("where", ["help", "detail"])
async def test_j_k_g_G_scroll_help_and_detail(demo_home: DemoHome, where: str) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(80, 14)) as pilot:  # small: there is something to scroll
        payments = await open_account(pilot, app, "Main account")
        await until(pilot, lambda: len(payments.cached) > 0)
        if where == "help":
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        else:
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, PaymentDetailScreen))
            await pilot.press("r")  # the raw JSON: long enough to scroll
        body = app.screen.query_one(VimScroll)
        await until(pilot, lambda: body.max_scroll_y > 2)
        await pilot.press("j", "j")
        await until(pilot, lambda: body.scroll_y == 2)
        await pilot.press("k")
        await until(pilot, lambda: body.scroll_y == 1)
        await pilot.press("G")
        await until(pilot, lambda: body.scroll_y == body.max_scroll_y)
        await pilot.press("g")
        await until(pilot, lambda: body.scroll_y == 0)


async def test_checkboxes_read_without_colour(demo_home: DemoHome) -> None:
    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        payments = await open_account(pilot, app, "Main account")
        await until(pilot, lambda: len(payments.cached) > 0)
        await pilot.press("e")
        box = await _tickbox(pilot, app)
        assert str(box._button) == "[ ]"
        box.value = True
        assert str(box._button) == "[x]"
        assert "[x]" in str(box.render())


async def _tickbox(pilot, app: BunqApp) -> TickBox:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: bool(app.screen.query(TickBox)))
    return app.screen.query_one(TickBox)


async def test_detail_hides_empty_fields_and_formats_times_like_the_list(
    demo_home: DemoHome,
) -> None:
    from bunqtui.tui.formatting import local_time

    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 60)) as pilot:
        payments = await open_account(pilot, app, "Main account")
        await until(pilot, lambda: len(payments.cached) > 0)
        payment = payments.selected_payment()
        assert payment is not None
        empty = [k for k, v in payment.raw.items() if v in (None, "", {}, [])]
        assert empty  # bunq sends such fields: the test would prove nothing without them
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PaymentDetailScreen))
        fields = app.screen.query_one("#detail-fields", Static)
        grid = fields.content
        labels = [str(cell) for cell in grid.columns[0].cells]  # type: ignore[union-attr]
        values = [str(cell) for cell in grid.columns[1].cells]  # type: ignore[union-attr]
        for key in empty:
            assert key.replace("_", " ").capitalize() not in labels
        assert "—" not in values
        assert values[labels.index("Created")] == local_time(payment.created)
        if "updated" in payment.raw:
            assert values[labels.index("Updated")].count(":") == 1  # 2026-11-19 00:19, as listed


async def test_under_a_dialog_the_footer_shows_the_dialogs_keys(demo_home: DemoHome) -> None:
    """The screen's keys do nothing while a dialog covers it (nor do ? and q: a form's fields
    take letters): the dialog has a footer of its own, over the screen's, with its keys."""
    from bunqtui.tui.screens.money_forms import MoneyFormModal

    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await accounts_loaded(pilot, app)
        await until(pilot, lambda: "refresh" in screen.query_one(BunqFooter).shown)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, MoneyFormModal))
        form = app.screen
        await until(pilot, lambda: bool(form.query(BunqFooter)))
        footer = form.query_one(BunqFooter)
        await until(pilot, lambda: footer.shown == ["cancel", "submit"])
        # drawn where the screen's footer was: the bottom row shows the dialog's keys
        assert footer.region.y == app.size.height - 1
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        assert screen.query_one(BunqFooter).shown[:2] == ["help", "quit"]


async def test_a_one_line_dialog_lists_enter_and_enter_on_cancel_cancels(
    demo_home: DemoHome,
) -> None:
    from bunqtui.tui.screens.dialogs import InputModal

    app = BunqApp(demo_home.workspace, demo=demo_home.demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await accounts_loaded(pilot, app)
        answers: list[str | None] = []

        async def answer(*keys: str) -> None:
            app.push_screen(InputModal("Top up", "How much?"), answers.append)
            await until(pilot, lambda: isinstance(app.screen, InputModal))
            dialog = app.screen
            await until(pilot, lambda: bool(dialog.query(BunqFooter)))
            footer = dialog.query_one(BunqFooter)
            await until(pilot, lambda: sorted(footer.shown) == ["cancel", "submit"])  # Esc, Enter
            await pilot.press(*keys)
            await until(pilot, lambda: app.screen is not dialog)

        await answer("4", "2", "enter")  # Enter in the field is OK
        await answer("tab", "tab", "enter")  # Enter with Cancel focused (OK, then Cancel) cancels
        assert answers == ["42", None]
