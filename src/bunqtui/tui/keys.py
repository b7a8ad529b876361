"""Every binding id bunqtui defines, for validating ``[ui.keys]`` and for the docs.

``[ui.keys]`` in config.toml maps a binding id to the key(s) to use instead, e.g.
``"app.quit" = "ctrl+q"`` or ``"nav.down" = "j,ctrl+n"``.
"""

from __future__ import annotations

from textual.binding import Binding


def _classes() -> list[type]:
    from bunqtui.tui.app import BunqApp
    from bunqtui.tui.screens import (
        accounts,
        detail,
        dialogs,
        help,
        login,
        payments,
        profiles,
        search,
    )
    from bunqtui.tui.screens import setup as setup_screen
    from bunqtui.tui.widgets.lists import VimDataTable, VimOptionList
    from bunqtui.tui.widgets.rows_table import RowsTable

    return [
        BunqApp,
        accounts.AccountsScreen,
        accounts.AccountsTable,
        payments.PaymentsScreen,
        payments.PaymentsTable,
        detail.PaymentDetailScreen,
        search.SearchScreen,
        search.SearchTable,
        login.LoginScreen,
        profiles.ProfilesScreen,
        setup_screen.SetupScreen,
        help.HelpScreen,
        dialogs.ErrorModal,
        dialogs.ConfirmModal,
        dialogs.InputModal,
        dialogs.ExportModal,
        VimDataTable,
        VimOptionList,
        RowsTable,
    ]


def bindings() -> list[tuple[str, Binding]]:
    """(binding id, binding) for every bunqtui binding with an id, first definition wins."""
    found: dict[str, Binding] = {}
    for cls in _classes():
        for klass in cls.__mro__:
            for binding in klass.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding) and binding.id and binding.id not in found:
                    found[binding.id] = binding
    return sorted(found.items())


def binding_ids() -> list[str]:
    return [binding_id for binding_id, _ in bindings()]
