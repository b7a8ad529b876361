"""Statement exports (`/user/{id}/monetary-account/{id}/customer-statement[/{id}[/content]]`),
as the official SDK's `ExportStatementApiObject` and `ExportStatementContentApiObject` call them
(docs/protocol.md#statements).

Creating one answers with its `Id`; the file is made then, from the account's payments in the
range, and kept. Like bunq, the export is not ready at once: it reads `PENDING` the first time
it is fetched and `DONE` from then on, so a client has to poll for it (deterministically, with
no clock). `…/content` answers the file's bytes, signed, with the format's Content-Type.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from . import statement_files, views
from .call import Call
from .handlers_resources import visible_account
from .pagination import paginate
from .state import Account, CustomerStatement, World
from .wire import ApiError, RawBody, id_only, not_found, ok, timestamp

FORMATS = ("MT940", "CSV", "PDF")
REGIONAL = ("UK_US", "EUROPEAN")
CONTENT_TYPES = {"MT940": "text/plain", "CSV": "text/csv", "PDF": "application/pdf"}


def statement_view(world: World, s: CustomerStatement) -> dict[str, Any]:
    account = world.accounts[s.account_id]
    return {
        "CustomerStatement": {
            "id": s.id,
            "created": timestamp(s.created),
            "updated": timestamp(s.created),
            "date_start": s.date_start,
            "date_end": s.date_end,
            "status": s.status,
            "statement_number": s.statement_number,
            "statement_format": s.statement_format,
            "regional_format": s.regional_format,
            "alias_monetary_account": views.own_label(world, account),
        }
    }


def _date(value: Any, field: str) -> date:
    if not isinstance(value, str):
        raise ApiError(400, f"The field {field} is required.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, f"The field {field} must be a date (YYYY-MM-DD).") from None


def make_file(world: World, account: Account, s: CustomerStatement) -> bytes:
    owner = world.users[account.owner_id].legal_name
    start, end = date.fromisoformat(s.date_start), date.fromisoformat(s.date_end)
    made = statement_files.statement(account, owner, start, end, s.statement_number, f"BUNQ{s.id}")
    if s.statement_format == "MT940":
        return statement_files.mt940(made)
    if s.statement_format == "CSV":
        return statement_files.csv_file(made, s.regional_format or "UK_US")
    return statement_files.pdf(made)


def _find(call: Call) -> tuple[Account, CustomerStatement]:
    account = visible_account(call)
    found = call.world.statements.get(call.param(2))
    if found is None or found.account_id != account.id:
        raise not_found("CustomerStatement", call.param(2))
    return account, found


async def create_statement(call: Call) -> Any:
    world = call.world
    account = visible_account(call)
    data = call.object()
    kind = data.get("statement_format")
    if kind not in FORMATS:
        raise ApiError(400, "The field statement_format must be MT940, CSV or PDF.")
    start = _date(data.get("date_start"), "date_start")
    end = _date(data.get("date_end"), "date_end")
    if start > end:
        raise ApiError(400, "The start date must be before the end date.")
    regional = data.get("regional_format")
    if kind == "CSV" and regional not in REGIONAL:
        raise ApiError(400, "A CSV statement needs a regional_format: UK_US or EUROPEAN.")
    if regional is not None and regional not in REGIONAL:
        raise ApiError(400, "The field regional_format must be UK_US or EUROPEAN.")
    with world.lock:
        number = 1 + sum(1 for s in world.statements.values() if s.account_id == account.id)
        made = CustomerStatement(
            world.next_id("statement"),
            account.id,
            world.clock.utcnow(),
            kind,
            start.isoformat(),
            end.isoformat(),
            regional,
            number,
            b"",
        )
        made.content = make_file(world, account, made)
        world.statements[made.id] = made
    return id_only(made.id)


async def list_statements(call: Call) -> Any:
    world = call.world
    account = visible_account(call)
    mine = sorted(
        (s for s in world.statements.values() if s.account_id == account.id),
        key=lambda s: s.id,
    )
    page, pagination = paginate(mine, lambda s: s.id, call.request.url.path, call.query)
    return ok(*(statement_view(world, s) for s in page), pagination=pagination)


async def get_statement(call: Call) -> Any:
    world = call.world
    with world.lock:
        _account, found = _find(call)
        view = statement_view(world, found)
        found.reads += 1
        if found.status == "PENDING":
            found.status = "DONE"  # ready from the next read on
    return ok(view)


async def delete_statement(call: Call) -> Any:
    world = call.world
    with world.lock:
        _account, found = _find(call)
        del world.statements[found.id]
    return ok()


async def statement_content(call: Call) -> Any:
    _account, found = _find(call)
    if found.status != "DONE":
        raise ApiError(400, "This statement is not ready yet; try again in a moment.")
    return RawBody(found.content, CONTENT_TYPES[found.statement_format])
