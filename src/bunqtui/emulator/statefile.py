"""`--state FILE`: the whole world as JSON, written atomically (0600) and read back strictly.

The file is data, never code: a state file may come from anywhere (a download, a shared
directory), so loading it must not be able to do more than fill in a `World`. Every object is
written field by field and read back against the field types declared in `state.py`:
datetimes as ISO 8601 with their offset, Decimals as strings, RSA keys as PKCS#8 PEM, the
seeded RNG as its state tuple; each object is an array of its field values, under a header that
names the fields. Dictionaries keyed by id or token are written as lists and
rebuilt, so a key can never disagree with the object it names. Anything else — a pickle,
garbage, another JSON document, a later format version, a field of the wrong type, a dangling
reference — is refused with `StateFileError` and one line that says why.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import json
import operator
import os
import tempfile
import types
import typing
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from . import state as state_module
from .state import (
    Account,
    Attachment,
    AuthCode,
    Avatar,
    Card,
    Credential,
    CustomerStatement,
    Device,
    Event,
    Installation,
    NoteText,
    OauthClient,
    Secret,
    Session,
    User,
    UserApiKey,
    World,
)

FORMAT = "bunqtui-emulator-state"
# 2: attachments, avatars, request responses, payment batches, card orders;
# 3: notes on payments, statement exports; bunq.me tabs, draft and scheduled payments,
# the request ids each installation has used
VERSION = 3
# Bounds that no world the emulator makes comes near; they keep a hostile file from making
# numbers the handlers were never meant to meet.
MAX_INT = 2**63
MAX_DECIMAL_EXPONENT = 40
MAX_KEY_BITS = 4096
MAX_BYTES = 16 * 1024 * 1024  # base64 text of an attachment's content


class StateFileError(ValueError):
    """The file is not a state file this emulator wrote (or can read)."""


class _Bad(Exception):
    """A field that does not fit; carries where, so the one-line error can say it."""

    def __init__(self, where: str, expected: str) -> None:
        super().__init__(f"{where}: expected {expected}")


Encode = Callable[[Any], Any]
Decode = Callable[[Any, str], Any]


# scalar codecs -------------------------------------------------------------------------------
def _int(value: Any, where: str) -> int:
    if type(value) is not int or not -MAX_INT <= value <= MAX_INT:
        raise _Bad(where, "an integer")
    return value


def _str(value: Any, where: str) -> str:
    if type(value) is not str:
        raise _Bad(where, "text")
    return value


def _bool(value: Any, where: str) -> bool:
    if type(value) is not bool:
        raise _Bad(where, "true or false")
    return value


def _float(value: Any, where: str) -> float:
    if type(value) not in (int, float):  # NaN and infinities never parse (see _no_constants)
        raise _Bad(where, "a number")
    return float(value)


def _encode_datetime(value: datetime) -> str:
    return value.isoformat()


def _datetime(value: Any, where: str) -> datetime:
    if type(value) is not str or len(value) > 40:
        raise _Bad(where, "an ISO 8601 date-time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _Bad(where, "an ISO 8601 date-time") from None
    if parsed.tzinfo is None:  # the world is in UTC throughout; naive times would not compare
        raise _Bad(where, "a date-time with its UTC offset")
    return parsed


def _decimal(value: Any, where: str) -> Decimal:
    if type(value) is not str or len(value) > 64:
        raise _Bad(where, "a decimal number as text")
    try:
        parsed = Decimal(value)
    except InvalidOperation:
        raise _Bad(where, "a decimal number as text") from None
    if not parsed.is_finite() or abs(parsed.adjusted()) > MAX_DECIMAL_EXPONENT:
        raise _Bad(where, "a finite decimal number")
    return parsed


def _encode_key(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _key(value: Any, where: str) -> rsa.RSAPrivateKey:
    if type(value) is not str or len(value) > 8_000:
        raise _Bad(where, "an RSA private key (PEM)")
    try:
        key = serialization.load_pem_private_key(value.encode(), password=None)
    except (ValueError, TypeError, UnicodeError):
        raise _Bad(where, "an RSA private key (PEM)") from None
    if not isinstance(key, rsa.RSAPrivateKey) or not 2048 <= key.key_size <= MAX_KEY_BITS:
        raise _Bad(where, "an RSA private key of 2048-4096 bits")
    return key


def _encode_bytes(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _bytes(value: Any, where: str) -> bytes:
    if type(value) is not str or len(value) > MAX_BYTES:
        raise _Bad(where, "base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _Bad(where, "base64 text") from None


def _flat_dict(value: Any, where: str) -> dict[str, Any]:
    """A small object of numbers/text (a payment's geolocation)."""
    if type(value) is not dict or len(value) > 16:
        raise _Bad(where, "a small object")
    for item in value.values():
        if type(item) not in (int, float, str, bool) and item is not None:
            raise _Bad(where, "an object of plain values")
    return value


# codecs from the dataclasses' own type hints ----------------------------------------------------
def _optional(inner: Decode) -> Decode:
    def decode(value: Any, where: str) -> Any:
        return None if value is None else inner(value, where)

    return decode


def _list(inner: Decode) -> Decode:
    def decode(value: Any, where: str) -> list[Any]:
        if type(value) is not list:
            raise _Bad(where, "a list")
        return [inner(item, f"{where}[{i}]") for i, item in enumerate(value)]

    return decode


def _maybe(encode: Encode | None) -> Encode | None:
    if encode is None:
        return None
    return lambda value: None if value is None else encode(value)


def _each(encode: Encode | None) -> Encode | None:
    if encode is None:
        return None
    return lambda values: [encode(v) for v in values]


SCALARS: dict[Any, tuple[Encode | None, Decode]] = {
    int: (None, _int),
    str: (None, _str),
    bool: (None, _bool),
    float: (None, _float),
    datetime: (_encode_datetime, _datetime),
    Decimal: (str, _decimal),
    rsa.RSAPrivateKey: (_encode_key, _key),
    dict: (None, _flat_dict),
    bytes: (_encode_bytes, _bytes),
}


def _codec(hint: Any) -> tuple[Encode | None, Decode]:
    """(encode or None when JSON takes the value as it is, decode-and-check)."""
    if hint in SCALARS:
        return SCALARS[hint]
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):  # a class, never an instance
        record = _record(hint)
        return record.encode, record.decode
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union) and len(args) == 2 and type(None) in args:
        encode, decode = _codec(next(a for a in args if a is not type(None)))
        return _maybe(encode), _optional(decode)
    if origin is list and len(args) == 1:
        encode, decode = _codec(args[0])
        return _each(encode), _list(decode)
    raise TypeError(f"the state file cannot hold a field of type {hint!r}")


class _Record:
    """Encoder/decoder of one dataclass, from its fields' type hints (resolved once).

    A record is a JSON array of its field values in declaration order; the file's "records"
    header names the fields, so the file still describes itself and a file written for other
    fields is refused. Arrays rather than objects halve the file and the time to write it.
    """

    def __init__(self, cls: type) -> None:
        self.cls = cls
        _RECORDS[cls] = self  # before the fields: a record may refer to itself
        hints = typing.get_type_hints(cls, vars(state_module))
        self.names = [field.name for field in dataclasses.fields(cls)]
        self.decoders: list[Decode] = []
        self.converted: list[tuple[int, Encode]] = []  # fields JSON cannot take as they are
        for index, name in enumerate(self.names):
            encode, decode = _codec(hints[name])
            self.decoders.append(decode)
            if encode is not None:
                self.converted.append((index, encode))
        self._get = operator.attrgetter(*self.names)

    def encode(self, obj: Any) -> list[Any]:
        values = list(self._get(obj))
        for index, encode in self.converted:
            values[index] = encode(values[index])
        return values

    def decode(self, value: Any, where: str) -> Any:
        if type(value) is not list or len(value) != len(self.names):
            raise _Bad(where, f"a {self.cls.__name__} of {len(self.names)} fields")
        return self.cls(
            *[
                decode(item, f"{where}.{name}")
                for decode, item, name in zip(self.decoders, value, self.names, strict=True)
            ]
        )


_RECORDS: dict[type, _Record] = {}


def _record(cls: type) -> _Record:
    return _RECORDS.get(cls) or _Record(cls)


# the world ---------------------------------------------------------------------------------
# World attributes that are lists of records in the file; the dict ones are rebuilt by a key.
KEYED: dict[str, tuple[type, str]] = {
    "users": (User, "id"),
    "accounts": (Account, "id"),
    "secrets": (Secret, "value"),
    "installations": (Installation, "token"),
    "devices": (Device, "id"),
    "sessions": (Session, "token"),
    "user_api_keys": (UserApiKey, "id"),
    "oauth_clients": (OauthClient, "id"),
    "auth_codes": (AuthCode, "code"),
    "credentials": (Credential, "id"),
    "attachments": (Attachment, "uuid"),
    "avatars": (Avatar, "uuid"),
    "notes": (NoteText, "id"),
    "statements": (CustomerStatement, "id"),
}
LISTS: dict[str, type] = {"events": Event, "cards": Card}
DERIVED = {"accounts_by_iban", "installations_by_id"}  # indexes rebuilt from the above
PLAIN = {"demo_api_key": _str, "demo_user_id": _int, "sugar_daddy_id": _int}
OTHER = {"lock", "rng", "clock", "counters", "user_api_key_by_token", "used_common_names"}
# Every attribute a World has must be one of these, or saving would silently drop it.
HANDLED = set(KEYED) | set(LISTS) | DERIVED | set(PLAIN) | OTHER
for _cls in (*(cls for cls, _key in KEYED.values()), *LISTS.values()):
    _record(_cls)  # resolves the nested records too (Payment, Counterparty, …)
RECORD_FIELDS = {cls.__name__: record.names for cls, record in _RECORDS.items()}


def encode_world(world: World) -> dict[str, Any]:
    """The world as JSON-ready data. Call with world.lock held."""
    unknown = set(vars(world)) - HANDLED
    if unknown:  # a new World attribute must be added here, not lost at the next restart
        raise TypeError(f"the state file does not know World.{', World.'.join(sorted(unknown))}")
    version, internal, gauss = world.rng.getstate()
    data: dict[str, Any] = {
        "rng": [version, list(internal), gauss],
        "clock_offset": world.clock.offset,
        "counters": dict(world.counters),
        "user_api_key_by_token": dict(world.user_api_key_by_token),
        "used_common_names": sorted(world.used_common_names),
    }
    for name, (cls, _key_field) in KEYED.items():
        encode = _record(cls).encode
        data[name] = [encode(obj) for obj in getattr(world, name).values()]
    for name, cls in LISTS.items():
        encode = _record(cls).encode
        data[name] = [encode(obj) for obj in getattr(world, name)]
    for name in PLAIN:
        data[name] = getattr(world, name)
    return {"format": FORMAT, "version": VERSION, "records": RECORD_FIELDS, "world": data}


def _object(value: Any, where: str, keys: set[str]) -> dict[str, Any]:
    if type(value) is not dict:
        raise _Bad(where, "an object")
    missing = keys - value.keys()
    if missing:  # our own field names: safe to print, unlike the file's
        raise _Bad(where, "the field(s) " + ", ".join(sorted(missing)))
    if value.keys() != keys:
        raise _Bad(where, "no fields but its own")
    return value


def _rng_state(value: Any) -> tuple[Any, ...]:
    where, expected = "world.rng", "a Mersenne Twister state"
    if type(value) is not list or len(value) != 3 or value[0] != 3:
        raise _Bad(where, expected)
    internal = value[1]
    if type(internal) is not list or len(internal) != 625:
        raise _Bad(where, expected)
    if any(type(x) is not int or not 0 <= x < 2**32 for x in internal) or internal[-1] > 624:
        raise _Bad(where, expected)
    gauss = None if value[2] is None else _float(value[2], where)
    return (3, tuple(internal), gauss)


def decode_world(document: Any) -> World:
    """A World from decoded JSON, checked field by field; raises _Bad."""
    if type(document) is not dict or document.get("format") != FORMAT:
        raise _Bad("the file", "a bunqtui emulator state")
    if document.get("version") != VERSION:
        raise _Bad("version", f"{VERSION} (this emulator reads no other)")
    _object(document, "the file", {"format", "version", "records", "world"})
    if document["records"] != RECORD_FIELDS:
        raise _Bad("records", "the fields this emulator's objects have")
    keys = {"rng", "clock_offset", "counters", "user_api_key_by_token", "used_common_names"}
    keys |= set(KEYED) | set(LISTS) | set(PLAIN)
    data = _object(document["world"], "world", keys)

    world = World()
    world.rng.setstate(_rng_state(data["rng"]))
    world.clock.offset = _float(data["clock_offset"], "world.clock_offset")
    counters = data["counters"]
    if type(counters) is not dict or counters.keys() != world.counters.keys():
        raise _Bad("world.counters", "one counter per kind of object")
    world.counters = {k: _int(v, f"world.counters.{k}") for k, v in counters.items()}
    by_token = data["user_api_key_by_token"]
    if type(by_token) is not dict:
        raise _Bad("world.user_api_key_by_token", "an object")
    world.user_api_key_by_token = {
        k: _int(v, "world.user_api_key_by_token") for k, v in by_token.items()
    }
    world.used_common_names = set(_list(_str)(data["used_common_names"], "world.used_common_names"))
    for name, (cls, key_field) in KEYED.items():
        objects = _list(_record(cls).decode)(data[name], f"world.{name}")
        table = {getattr(obj, key_field): obj for obj in objects}
        if len(table) != len(objects):
            raise _Bad(f"world.{name}", f"one entry per {key_field}")
        setattr(world, name, table)
    for name, cls in LISTS.items():
        setattr(world, name, _list(_record(cls).decode)(data[name], f"world.{name}"))
    for name, decode in PLAIN.items():
        setattr(world, name, decode(data[name], f"world.{name}"))
    world.accounts_by_iban = {a.iban: a for a in world.accounts.values()}
    world.installations_by_id = {i.id: i for i in world.installations.values()}
    _check_links(world)
    return world


def _check_links(world: World) -> None:
    """References between objects point at objects that exist: the handlers rely on it."""
    users, grants = world.users, world.user_api_keys
    if len(world.accounts_by_iban) != len(world.accounts):
        raise _Bad("world.accounts", "one account per IBAN")
    if len(world.installations_by_id) != len(world.installations):
        raise _Bad("world.installations", "one installation per id")
    for account in world.accounts.values():
        if account.owner_id not in users or any(i not in users for i in account.co_owner_ids):
            raise _Bad(f"world.accounts[{account.id}]", "owners that exist")
        if (
            any(p.account_id != account.id for p in account.payments)
            or any(r.account_id != account.id for r in account.requests)
            or any(r.account_id != account.id for r in account.responses)
            or any(b.account_id != account.id for b in account.batches)
            or any(t.account_id != account.id for t in account.tabs)
            or any(d.account_id != account.id for d in account.drafts)
            or any(s.account_id != account.id for s in account.schedules)
        ):
            raise _Bad(f"world.accounts[{account.id}]", "payments and requests of this account")
        if any(d.created_by not in users and d.created_by not in grants for d in account.drafts):
            raise _Bad(f"world.accounts[{account.id}]", "draft payments by users that exist")
        targets = [s.counterparty for s in account.schedules]
        targets += [e.counterparty for d in account.drafts for e in d.entries]
        if any(t.account_id is not None and t.account_id not in world.accounts for t in targets):
            raise _Bad(f"world.accounts[{account.id}]", "draft and scheduled payments to accounts")
        if any(r.counterparty.account_id not in world.accounts for r in account.responses):
            raise _Bad(
                f"world.accounts[{account.id}]", "request responses from accounts that exist"
            )
    for secret in world.secrets.values():
        if secret.user_id not in users and secret.user_id not in grants:
            raise _Bad("world.secrets", "secrets of users that exist")
    for grant in grants.values():
        if grant.requested_by_id not in users or grant.granted_by_id not in users:
            raise _Bad("world.user_api_keys", "grants between users that exist")
    for installation in world.installations.values():
        if any(d not in world.devices for d in installation.device_ids):
            raise _Bad("world.installations", "devices that exist")
    for session in world.sessions.values():
        if session.installation_id not in world.installations_by_id or (
            session.user_id not in users and session.user_id not in grants
        ):
            raise _Bad("world.sessions", "sessions of installations and users that exist")
    for client in world.oauth_clients.values():
        if client.user_id not in users:
            raise _Bad("world.oauth_clients", "clients of users that exist")
    for code in world.auth_codes.values():
        if code.granted_by_id not in users:
            raise _Bad("world.auth_codes", "codes granted by users that exist")
    for credential in world.credentials.values():
        if credential.user_id not in users:
            raise _Bad("world.credentials", "credentials of users that exist")
    for card in world.cards:
        if card.user_id not in users or card.account_id not in world.accounts:
            raise _Bad("world.cards", "cards of users and accounts that exist")
    for note in world.notes.values():
        noted = world.accounts.get(note.account_id)
        if noted is None or (note.user_id not in users and note.user_id not in grants):
            raise _Bad("world.notes", "notes on accounts and by users that exist")
    if any(s.account_id not in world.accounts for s in world.statements.values()):
        raise _Bad("world.statements", "statements of accounts that exist")
    if any(a.attachment_uuid not in world.attachments for a in world.avatars.values()):
        raise _Bad("world.avatars", "avatars of attachments that exist")
    if world.demo_user_id not in users or world.sugar_daddy_id not in users:
        raise _Bad("world", "the demo user and Sugar Daddy")
    if world.demo_api_key not in world.secrets:
        raise _Bad("world.demo_api_key", "the demo user's API key")


def _no_constants(name: str) -> float:
    raise ValueError(f"{name} is not a number")  # JSON has no NaN or Infinity


def load_world(path: Path) -> World | None:
    """The world saved in a state file, or None if there is none yet; StateFileError if the
    file is anything but a state file this emulator wrote."""

    def refused(reason: str) -> StateFileError:
        return StateFileError(
            f"{path} is not an emulator state file ({reason}); "
            "move it away or pass another --state FILE"
        )

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    if data[:1] == b"\x80":  # state files used to be pickles; never unpickle
        raise refused("an old pickle state, which is not read any more")
    try:
        document = json.loads(data.decode("utf-8"), parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise refused("not UTF-8 text") from None
    except RecursionError:
        raise refused("nested too deeply") from None
    except ValueError:  # also too many digits in a number
        raise refused("not JSON") from None
    try:
        return decode_world(document)
    except RecursionError:
        raise refused("nested too deeply") from None
    except _Bad as exc:
        raise refused(str(exc)) from None
    except (ValueError, TypeError) as exc:  # e.g. Random.setstate on a state it rejects
        raise refused(type(exc).__name__) from None


def save_world(world: World, path: Path) -> None:
    """Atomically: temp file in the same directory, fsync, rename; 0600."""
    with world.lock:  # lists inside the records are shared until dumped
        data = json.dumps(encode_world(world), separators=(",", ":"), allow_nan=False).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
