"""Moving money on the emulator as bunq does: outside IBANs, what an OAuth grant may pay, draft
payments decided through the control API, bunq.me tabs paid through it, and scheduled
payments booked by the emulator's clock — through the independent test client, which checks
every server signature."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from emu_client import BunqClient, control, new_user

from bunqtui.emulator.handlers_schedules import occurrence, parse_time
from bunqtui.emulator.state import Counterparty, SchedulePayment

BRAVO = {"type": "EMAIL", "value": "bravo@bunq.com"}
SUGAR = {"type": "EMAIL", "value": "sugardaddy@bunq.com"}
OUTSIDE = {"type": "IBAN", "value": "NL91ABNA0417164300", "name": "Outside Person"}
REDIRECT = "https://app.example/callback"
DAY = 86_400
KEYS: dict[int, str] = {}  # user id → API key, to open a session after the clock moved


# helpers -------------------------------------------------------------------------------------
def _money(value: str) -> dict[str, str]:
    return {"value": value, "currency": "EUR"}


def _path(client: BunqClient, account_id: int, kind: str) -> str:
    return f"/user/{client.user_id}/monetary-account/{account_id}/{kind}"


def _balance(client: BunqClient, account_id: int) -> Decimal:
    (item,) = client.get(f"/user/{client.user_id}/monetary-account/{account_id}").items
    return Decimal(next(iter(item.values()))["balance"]["value"])


def _topped_up(client: BunqClient, account_id: int, value: str = "500.00") -> None:
    body = {
        "amount_inquired": _money(value),
        "counterparty_alias": SUGAR,
        "description": "top up",
        "allow_bunqme": False,
    }
    assert client.post(_path(client, account_id, "request-inquiry"), body).status == 200


def _funded(emulator, make_client, accounts: int = 1, slot: int = 1) -> tuple[BunqClient, dict]:
    made = new_user(emulator.root_url, accounts=accounts)
    client = make_client(made["api_key"], key_slot=slot)
    KEYS[client.user_id] = made["api_key"]
    bank = client.accounts("monetary-account-bank")[0]
    _topped_up(client, bank["id"])
    return client, bank


def _advance(emulator, seconds: float, *clients: BunqClient) -> None:
    """Moves the emulator's clock; sessions older than a week expire, so these open anew."""
    control(emulator.root_url, "POST", "clock", {"advance_seconds": seconds})
    for client in clients:
        client.open_session(KEYS.get(client.user_id, emulator.demo_api_key))


def _iban(account: dict) -> str:
    return next(a["value"] for a in account["alias"] if a["type"] == "IBAN")


def _payment_count(emulator) -> int:
    return sum(len(a.payments) for a in emulator.world.accounts.values())


def _connected(emulator, make_client, demo: BunqClient) -> tuple[BunqClient, BunqClient]:
    """(the granting user's own session, the demo app's session on that user's behalf)."""
    base = f"/user/{demo.user_id}/oauth-client"
    client_id = demo.post(base, {"status": "ACTIVE"}).only("Id")["id"]
    assert demo.post(f"{base}/{client_id}/callback-url", {"url": REDIRECT}).status == 200
    oauth = demo.get(f"{base}/{client_id}").only("OauthClient")
    granting = new_user(emulator.root_url, accounts=2)
    query = {"response_type": "code", "client_id": oauth["client_id"], "redirect_uri": REDIRECT}
    body = {"authorize_url": f"{emulator.root_url}/auth?{urlencode(query)}"}
    body["api_key"] = granting["api_key"]
    redirect = control(emulator.root_url, "POST", "oauth/approve", body)["redirect_url"]
    token = httpx.post(
        emulator.root_url + "/v1/token",
        params={
            "grant_type": "authorization_code",
            "code": parse_qs(urlsplit(redirect).query)["code"][0],
            "redirect_uri": REDIRECT,
            "client_id": oauth["client_id"],
            "client_secret": oauth["secret"],
        },
    ).json()["access_token"]
    owner = make_client(granting["api_key"], key_slot=7)
    return owner, make_client(token, key_slot=6)


def _decide(emulator, draft_id: int, accept: bool) -> httpx.Response:
    return httpx.post(
        f"{emulator.root_url}/_emulator/draft-payment/{draft_id}/decide", json={"accept": accept}
    )


def _pay_tab(emulator, uuid: str, **body: str) -> httpx.Response:
    return httpx.post(f"{emulator.root_url}/_emulator/bunqme-tab/{uuid}/pay", json=body)


# payments ------------------------------------------------------------------------------------
def test_a_payment_to_an_outside_iban_is_only_debited(emulator, make_client) -> None:
    client, bank = _funded(emulator, make_client)
    before, count = _balance(client, bank["id"]), _payment_count(emulator)
    reply = client.pay(bank["id"], "12.34", OUTSIDE, description="rent")
    assert reply.status == 200, reply.body
    assert _balance(client, bank["id"]) == before - Decimal("12.34")
    assert _payment_count(emulator) == count + 1  # no counter-booking anywhere
    (item,) = client.get(f"{_path(client, bank['id'], 'payment')}/{reply.only('Id')['id']}").items
    payment = item["Payment"]
    assert (payment["type"], payment["sub_type"]) == ("EBA_SCT", "SCT")
    assert payment["counterparty_alias"]["iban"] == OUTSIDE["value"]
    assert payment["counterparty_alias"]["display_name"] == "Outside Person"


def test_an_oauth_grant_pays_only_between_the_users_own_accounts(
    emulator, make_client, demo
) -> None:
    owner, app = _connected(emulator, make_client, demo)
    first, second = owner.accounts("monetary-account-bank")[0], owner.accounts()[1]
    _topped_up(owner, first["id"])
    count = _payment_count(emulator)
    for alias in (BRAVO, OUTSIDE):
        reply = app.pay(first["id"], "1.00", alias)
        assert (reply.status, reply.error) == (403, "You're not allowed to make this call.")
    assert _payment_count(emulator) == count
    own = {"type": "IBAN", "value": _iban(second), "name": "me"}
    assert app.pay(first["id"], "1.00", own).status == 200
    assert _balance(owner, second["id"]) == Decimal("1.00")


# draft payments ------------------------------------------------------------------------------
def _draft_body(*entries: tuple[str, dict]) -> dict:
    return {
        "entries": [
            {"amount": _money(v), "counterparty_alias": alias, "description": f"draft {i}"}
            for i, (v, alias) in enumerate(entries)
        ],
        "number_of_required_accepts": 1,
    }


def test_a_draft_from_a_connected_app_waits_for_the_user_then_pays(
    emulator, make_client, demo
) -> None:
    owner, app = _connected(emulator, make_client, demo)
    bank = owner.accounts("monetary-account-bank")[0]
    _topped_up(owner, bank["id"])
    path = _path(app, bank["id"], "draft-payment")
    reply = app.post(path, _draft_body(("25.00", BRAVO)))
    assert reply.status == 200, reply.body
    draft_id = reply.only("Id")["id"]

    draft = app.get(f"{path}/{draft_id}").only("DraftPayment")
    assert (draft["status"], draft["object"], draft["responses"]) == ("PENDING", None, [])
    (entry,) = draft["entries"]
    assert entry["amount"] == {"currency": "EUR", "value": "25.00"}
    assert entry["counterparty_alias"]["label_user"]["display_name"]
    assert draft["user_alias_created"]["uuid"] == demo.user["public_uuid"]
    assert _balance(owner, bank["id"]) == Decimal("500.00")  # nothing moves yet
    waiting = owner.get(f"/user/{owner.user_id}/event?status=AWAITING_REPLY").items
    assert [e["Event"]["object"]["DraftPayment"]["id"] for e in waiting] == [draft_id]
    listed = owner.get(_path(owner, bank["id"], "draft-payment")).items
    assert [d["DraftPayment"]["id"] for d in listed] == [draft_id]

    # the app cannot accept for the user, signed or not
    accepted = app.put(f"{path}/{draft_id}", {"status": "ACCEPTED"}, sign_body=True)
    assert accepted.status == 403

    decided = _decide(emulator, draft_id, True)
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "ACCEPTED"
    assert _balance(owner, bank["id"]) == Decimal("475.00")
    draft = app.get(f"{path}/{draft_id}").only("DraftPayment")
    assert draft["status"] == "ACCEPTED"
    assert draft["object"]["Payment"]["amount"]["value"] == "-25.00"
    assert draft["object"]["Payment"]["id"] == decided.json()["payment_ids"][0]
    assert draft["responses"][0]["status"] == "ACCEPTED"
    events = owner.get(f"/user/{owner.user_id}/event").items
    (event,) = [e["Event"] for e in events if "DraftPayment" in e["Event"]["object"]]
    assert (event["status"], event["object"]["DraftPayment"]["id"]) == ("FINALIZED", draft_id)
    again = _decide(emulator, draft_id, False)
    assert (again.status_code, "already accepted" in again.text) == (400, True)


def test_rejecting_a_draft_moves_nothing_and_the_owner_accepts_signed(
    emulator, make_client
) -> None:
    client, bank = _funded(emulator, make_client)
    path = _path(client, bank["id"], "draft-payment")
    rejected = client.post(path, _draft_body(("5.00", BRAVO))).only("Id")["id"]
    count = _payment_count(emulator)
    assert _decide(emulator, rejected, False).json()["status"] == "REJECTED"
    assert _payment_count(emulator) == count
    assert client.get(f"{path}/{rejected}").only("DraftPayment")["status"] == "REJECTED"

    # two entries: accepting needs a signature (it pays) and pays them as one batch
    both = client.post(path, _draft_body(("1.00", BRAVO), ("2.00", OUTSIDE))).only("Id")["id"]
    unsigned = client.put(f"{path}/{both}", {"status": "ACCEPTED"})
    assert unsigned.status == 466
    assert client.put(f"{path}/{both}", {"status": "ACCEPTED"}, sign_body=True).status == 200
    draft = client.get(f"{path}/{both}").only("DraftPayment")
    payments = draft["object"]["PaymentBatch"]["payments"]
    assert sorted(p["amount"]["value"] for p in payments) == ["-1.00", "-2.00"]
    assert len({p["batch_id"] for p in payments}) == 1
    assert _balance(client, bank["id"]) == Decimal("497.00")

    # rejecting and withdrawing are not payments: no signature needed
    third = client.post(path, _draft_body(("1.00", BRAVO))).only("Id")["id"]
    assert client.put(f"{path}/{third}", {"status": "CANCELLED"}).status == 200
    assert _decide(emulator, third, True).status_code == 400


def test_a_draft_the_balance_cannot_cover_stays_pending(emulator, make_client) -> None:
    client, bank = _funded(emulator, make_client)
    path = _path(client, bank["id"], "draft-payment")
    draft_id = client.post(path, _draft_body(("600.00", BRAVO))).only("Id")["id"]
    refused = _decide(emulator, draft_id, True)
    assert refused.status_code == 400 and "insufficient" in refused.text
    assert client.get(f"{path}/{draft_id}").only("DraftPayment")["status"] == "PENDING"


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"entries": [], "number_of_required_accepts": 1}, "entries"),
        (_draft_body(("1.00", BRAVO)) | {"number_of_required_accepts": 2}, "required_accepts"),
        (_draft_body(("1.00", BRAVO)) | {"number_of_required_accepts": True}, "required_accepts"),
        (_draft_body(("0.00", BRAVO)), "greater than zero"),
        (_draft_body(("1.00", {"type": "EMAIL", "value": "nobody@example.org"})), "not be found"),
    ],
)
def test_bad_drafts_are_refused(demo, body, needle) -> None:
    bank = demo.accounts("monetary-account-bank")[0]
    reply = demo.post(_path(demo, bank["id"], "draft-payment"), body)
    assert reply.status == 400 and needle in reply.error


# bunq.me tabs --------------------------------------------------------------------------------
def test_a_bunqme_tab_is_shared_paid_and_cancelled(emulator, make_client) -> None:
    client, bank = _funded(emulator, make_client)
    path = _path(client, bank["id"], "bunqme-tab")
    entry = {
        "amount_inquired": _money("10.00"),
        "description": "Pizza",
        "redirect_url": "https://example.org/thanks",
    }
    tab_id = client.post(path, {"bunqme_tab_entry": entry}).only("Id")["id"]
    tab = client.get(f"{path}/{tab_id}").only("BunqMeTab")
    assert tab["status"] == "WAITING_FOR_PAYMENT" and tab["type"] == "BUNQ_ME"
    uuid = tab["bunqme_tab_entry"]["uuid"]
    assert tab["bunqme_tab_share_url"] == f"https://bunq.me/t/{uuid}"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", uuid)
    assert tab["bunqme_tab_entry"]["amount_inquired"] == {"currency": "EUR", "value": "10.00"}
    assert tab["result_inquiries"] == []
    assert b'"https:\\/\\/bunq.me\\/t\\/' in client.get(path).body  # bunq's escaped slashes

    # someone outside bunq pays by iDEAL; the name is kept as the text it is
    paid = _pay_tab(emulator, uuid, name="[bold]FAKE[/bold]")
    assert paid.status_code == 200, paid.text
    assert _balance(client, bank["id"]) == Decimal("510.00")
    # a bunq user pays from their own account
    payer, payer_bank = _funded(emulator, make_client, slot=2)
    assert _pay_tab(emulator, uuid, amount="10.00", name="Payer", iban=_iban(payer_bank)).is_success
    assert _balance(payer, payer_bank["id"]) == Decimal("490.00")
    assert _balance(client, bank["id"]) == Decimal("520.00")

    results = client.get(f"{path}/{tab_id}").only("BunqMeTab")["result_inquiries"]
    assert [r["bunq_me_tab_id"] for r in results] == [tab_id, tab_id]
    first, second = (r["payment"] for r in results)
    assert first["id"] == paid.json()["payment_id"]
    assert (first["type"], first["amount"]["value"]) == ("IDEAL", "10.00")
    assert first["counterparty_alias"]["display_name"] == "[bold]FAKE[/bold]"
    assert first["description"] == "Pizza"
    assert second["counterparty_alias"]["iban"] == _iban(payer_bank)

    wrong = _pay_tab(emulator, uuid, amount="9.99", name="x")
    assert wrong.status_code == 400 and "exactly 10.00" in wrong.text
    assert client.put(f"{path}/{tab_id}", {"status": "CANCELLED"}).only("Id")["id"] == tab_id
    assert client.get(f"{path}/{tab_id}").only("BunqMeTab")["status"] == "CANCELLED"
    late = _pay_tab(emulator, uuid, name="late")
    assert late.status_code == 400 and "cancelled" in late.text
    assert _pay_tab(emulator, "0" * 8, name="x").status_code == 404
    assert client.put(f"{path}/{tab_id}", {"status": "CANCELLED"}).status == 400


def test_a_bunqme_tab_without_amount_expires_and_is_not_for_oauth_apps(
    emulator, make_client, demo
) -> None:
    bank = demo.accounts("monetary-account-bank")[0]
    path = _path(demo, bank["id"], "bunqme-tab")
    tab_id = demo.post(path, {"bunqme_tab_entry": {"description": "any amount"}}).only("Id")["id"]
    tab = demo.get(f"{path}/{tab_id}").only("BunqMeTab")
    assert tab["bunqme_tab_entry"]["amount_inquired"] is None
    uuid = tab["bunqme_tab_entry"]["uuid"]
    assert _pay_tab(emulator, uuid, name="no amount").status_code == 400
    assert _pay_tab(emulator, uuid, amount="3.50", name="chooses").is_success
    _advance(emulator, 31 * DAY, demo)
    assert demo.get(f"{path}/{tab_id}").only("BunqMeTab")["status"] == "EXPIRED"
    assert _pay_tab(emulator, uuid, amount="1.00", name="late").status_code == 400

    owner, app = _connected(emulator, make_client, demo)
    granted = owner.accounts()[0]["id"]
    body = {"bunqme_tab_entry": {"amount_inquired": _money("1.00"), "description": "x"}}
    assert app.post(_path(app, granted, "bunqme-tab"), body).status == 403


# scheduled payments --------------------------------------------------------------------------
def _schedule_body(start: str, unit: str, size: int = 1, end: str | None = None) -> dict:
    schedule = {"time_start": start, "recurrence_unit": unit, "recurrence_size": size}
    if end is not None:
        schedule["time_end"] = end
    return {
        "payment": {"amount": _money("10.00"), "counterparty_alias": BRAVO, "description": "rent"},
        "schedule": schedule,
    }


def _at(emulator, seconds: float) -> str:
    """The emulator's time `seconds` from now, as bunq writes times."""
    moment = emulator.world.clock.utcnow() + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _scheduled_payments(client: BunqClient, account_id: int, schedule_id: int) -> list[dict]:
    items = client.get(_path(client, account_id, "payment")).items
    return [i["Payment"] for i in items if i["Payment"]["scheduled_id"] == schedule_id]


def test_the_clock_books_a_daily_schedule_until_it_is_cancelled(emulator, make_client) -> None:
    client, bank = _funded(emulator, make_client)
    path = _path(client, bank["id"], "schedule-payment")
    body = _schedule_body(_at(emulator, 3600), "DAILY")
    assert client.post(path, body).status == 466  # signed: it will pay
    reply = client.post(path, body, sign_body=True)
    assert reply.status == 200, reply.body
    schedule_id = reply.only("Id")["id"]
    listed = client.get(path).only("ScheduledPayment")
    assert (listed["id"], listed["status"]) == (schedule_id, "ACTIVE")
    assert listed["payment"]["amount"]["value"] == "-10.00"
    assert listed["schedule"]["recurrence_unit"] == "DAILY"
    assert _balance(client, bank["id"]) == Decimal("500.00")

    control(emulator.root_url, "POST", "clock", {"advance_seconds": 7200})
    assert _balance(client, bank["id"]) == Decimal("490.00")
    control(emulator.root_url, "POST", "clock", {"advance_seconds": 2 * DAY})
    assert _balance(client, bank["id"]) == Decimal("470.00")
    booked = _scheduled_payments(client, bank["id"], schedule_id)
    assert [p["amount"]["value"] for p in booked] == ["-10.00"] * 3
    assert [p["description"] for p in booked] == ["rent"] * 3

    assert client.delete(f"{path}/{schedule_id}").json() == {"Response": []}
    got = client.get(f"{path}/{schedule_id}").only("ScheduledPayment")
    assert got["status"] == got["schedule"]["status"] == "CANCELLED"
    _advance(emulator, 5 * DAY, client)
    assert _balance(client, bank["id"]) == Decimal("470.00")
    assert client.delete(f"{path}/{schedule_id}").status == 400


def test_once_and_an_end_finish_a_schedule_and_a_short_balance_skips_one(
    emulator, make_client
) -> None:
    client, bank = _funded(emulator, make_client)
    path = _path(client, bank["id"], "schedule-payment")
    once = client.post(path, _schedule_body(_at(emulator, 60), "ONCE"), sign_body=True)
    weekly = _schedule_body(_at(emulator, 60), "WEEKLY", 1, end=_at(emulator, 8 * DAY))
    weekly["payment"]["amount"] = _money("480.00")
    ends = client.post(path, weekly, sign_body=True)
    _advance(emulator, 30 * DAY, client)
    # once: 10.00; weekly: two occurrences within the end, the second one not covered
    assert _balance(client, bank["id"]) == Decimal("10.00")
    for reply in (once, ends):
        schedule = client.get(f"{path}/{reply.only('Id')['id']}").only("ScheduledPayment")
        assert schedule["status"] == "FINISHED"


@pytest.mark.parametrize(
    ("body_change", "needle"),
    [
        ({"recurrence_unit": "FORTNIGHTLY"}, "recurrence_unit"),
        ({"recurrence_size": 0}, "recurrence_size"),
        ({"recurrence_size": True}, "recurrence_size"),
        ({"time_start": "tomorrow"}, "time_start"),
        ({"time_start": "2001-01-01 00:00:00"}, "in the past"),
        ({"time_end": "2001-01-01 00:00:00"}, "end before"),
    ],
)
def test_bad_schedules_are_refused(emulator, demo, body_change, needle) -> None:
    bank = demo.accounts("monetary-account-bank")[0]
    body = _schedule_body(_at(emulator, 3600), "DAILY")
    body["schedule"].update(body_change)
    reply = demo.post(_path(demo, bank["id"], "schedule-payment"), body, sign_body=True)
    assert reply.status == 400 and needle in reply.error


def test_an_oauth_grant_schedules_only_between_own_accounts(emulator, make_client, demo) -> None:
    owner, app = _connected(emulator, make_client, demo)
    bank = owner.accounts("monetary-account-bank")[0]
    reply = app.post(
        _path(app, bank["id"], "schedule-payment"),
        _schedule_body(_at(emulator, 3600), "DAILY"),
        sign_body=True,
    )
    assert reply.status == 403


def test_monthly_occurrences_keep_the_day_or_take_the_months_last() -> None:
    start = parse_time("2027-01-31 09:00:00", "time_start")
    schedule = SchedulePayment(
        1,
        1,
        start,
        start,
        Decimal(1),
        "EUR",
        Counterparty("NL", "x"),
        "",
        start,
        None,
        "MONTHLY",
        1,
    )
    got = [occurrence(schedule, i).strftime("%Y-%m-%d %H:%M") for i in range(4)]
    assert got == ["2027-01-31 09:00", "2027-02-28 09:00", "2027-03-31 09:00", "2027-04-30 09:00"]
    schedule.recurrence_unit, schedule.recurrence_size = "YEARLY", 2
    assert occurrence(schedule, 1).year == 2029
    leap = parse_time("2028-02-29T12:00:00+00:00", "time_start")
    schedule.time_start = leap
    assert occurrence(schedule, 1).strftime("%Y-%m-%d") == "2030-02-28"
