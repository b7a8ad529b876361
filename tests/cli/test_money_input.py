"""What is shown is what is sent: a description with a control character is refused by `pay`,
`request` and `pay-batch` alike (exit 2, no request at all); a batch file's duplicate rows are
named in the confirmation; a file that never ends is refused after the cap."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import Control, Result
from test_money import OUTSIDE, Me, httpx_reset, setup_user
from test_money_batch import batch_file, batches, pay_batch


@pytest.fixture
def me(cli: Callable[..., Result], emulator: Any, control: Control) -> Me:
    return setup_user(cli, emulator, control, "me")


@pytest.mark.parametrize("command", ["pay", "request"])
@pytest.mark.parametrize("description", ["rent\nfor may", "red\x1b[31m", "nul\x00"])
def test_a_description_with_a_control_character_exits_2_and_sends_nothing(
    cli: Callable[..., Result], me: Me, control: Control, command: str, description: str
) -> None:
    httpx_reset(control)
    result = cli(command, "--profile", me.profile, "--from", str(me.account), "--to", OUTSIDE,
                 "--name", "Albert", "--amount", "1", "--description", description,
                 "--yes")  # fmt: skip
    assert result.code == 2, result.err
    assert "the description holds a control character" in result.err
    assert "Traceback" not in result.err and control.stats()["total"] == 0


def test_a_batch_row_with_a_control_character_exits_2_naming_the_row(
    cli: Callable[..., Result], me: Me, control: Control, tmp_path: Path
) -> None:
    httpx_reset(control)
    file = batch_file(tmp_path, f"{OUTSIDE},Albert,1,fine", f'{OUTSIDE},Albert,2,"two\nlines"')
    result = pay_batch(cli, me, file, "--yes")
    assert result.code == 2, result.err
    assert "line 3: the description holds a control character (U+000A)" in result.err
    assert control.stats()["total"] == 0


def test_duplicate_rows_are_named_in_the_confirmation_and_each_is_paid(
    cli: Callable[..., Result], me: Me, control: Control, tmp_path: Path
) -> None:
    row = f"{OUTSIDE},Albert,1,rent"
    file = batch_file(tmp_path, row, f"{OUTSIDE},Albert,2,other", row)
    httpx_reset(control)
    result = pay_batch(cli, me, file, "--yes", "--json")
    assert result.code == 0, result.err
    assert "warning: lines 2, 4 are the same payment; each one is paid" in result.err
    assert len(result.json()["payments"]) == 3 and batches(control) == 1


def test_a_device_as_the_file_exits_2(cli: Callable[..., Result], me: Me, control: Control) -> None:
    httpx_reset(control)
    result = pay_batch(cli, me, "/dev/zero", "--yes")
    assert result.code == 2 and "larger than" in result.err, result.err
    assert control.stats()["total"] == 0
