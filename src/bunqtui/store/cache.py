"""The local cache of accounts and payments: one SQLite file per profile, 0600 in a 0700 dir.

Each row keeps bunq's JSON exactly (``raw``), so a cached Payment or MonetaryAccount is equal
to the one parsed from the wire. Payments are keyed by (identity, account, id); for each account
the cache also records the *covered* id range ``[covered_lo, covered_hi]``: every payment of the
account with an id in that range is cached. Pages are only merged when they overlap or touch
that range, so the cache never has a gap, and a sync interrupted midway resumes from the oldest
cached id without duplicates (``INSERT OR REPLACE`` on the key) or holes.

Columns (table ``payment_search``, written at insert time): for search (read by
``bunqtui.core.query``) ``created`` (bunq's UTC ``YYYY-MM-DD hh:mm:ss.ffffff``, which sorts as
text), ``cents`` (signed amount in cents) and ``haystack`` (casefolded text the filter's words
are looked up in); for views and exports, the strings of the stable record
(``bunqtui.store.rows.PaymentRow``), so listing or exporting 100,000 payments parses no JSON.
``payment_rows`` streams them from a read snapshot, a batch at a time: an export holds one batch
in memory, whatever the number of payments. A cache of schema 2 gets the columns filled from
its stored JSON once (no request to bunq); any other version is rebuilt.

An identity that was forgotten (a disconnected user) leaves a tombstone: a process that was
still fetching its payments cannot write them back afterwards, because every write checks
the tombstone in the same transaction. Its rows are not left on disk either: deletes overwrite
what they delete (``secure_delete``), and the WAL, which still holds earlier copies of the rows,
is checkpointed and truncated; while another reader's snapshot stops that, the checkpoint is
retried after each later write and at close(), never making a read wait. A damaged file
(``database disk image is malformed``, not a database at all, a row that does not parse) is
moved aside to ``<name>.damaged`` and the cache starts empty, with a notice: it only ever holds
copies of what bunq has.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from bunqtui.api.errors import ProtocolError
from bunqtui.api.models import MonetaryAccount, Payment
from bunqtui.store.files import FILE_MODE, ensure_private_dir
from bunqtui.store.rows import PaymentRow

SCHEMA_VERSION = 3
MIGRATES_FROM = 2  # filled in place from the stored JSON; any other old version is rebuilt
ROW_BATCH = 1000  # rows per fetch when streaming: one batch is all an export holds
TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # bunq's, in UTC: sorts as text
BUSY_TIMEOUT = 10.0  # s a write waits for another process's write transaction
BUSY_STEP = 0.05  # s between attempts to take the write lock

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS account_lists (
    identity TEXT PRIMARY KEY,
    fetched_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
    identity TEXT NOT NULL,
    id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    raw TEXT NOT NULL,
    PRIMARY KEY (identity, id)
);
CREATE TABLE IF NOT EXISTS payments (
    pk INTEGER PRIMARY KEY,
    identity TEXT NOT NULL,
    account_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    raw TEXT NOT NULL,
    UNIQUE (identity, account_id, id)
);
-- the searched columns apart from the ~2 kB of JSON per payment: a search scans ~10 MB per
-- 100,000 payments instead of ~200 MB (same pk as payments)
CREATE TABLE IF NOT EXISTS payment_search (
    pk INTEGER PRIMARY KEY,
    identity TEXT NOT NULL,
    account_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    created TEXT,
    cents INTEGER NOT NULL,
    haystack TEXT NOT NULL,
    -- schema 3: the record's strings (bunqtui.store.rows.PaymentRow), appended in this order
    -- so that a schema-2 file gets the same table by ALTER TABLE
    created_text TEXT,
    amount TEXT,
    currency TEXT,
    counterparty_name TEXT,
    counterparty_iban TEXT,
    description TEXT,
    type TEXT,
    sub_type TEXT,
    balance TEXT,
    balance_currency TEXT,
    monetary_account_id INTEGER
);
-- an account's payments newest first (a listing or export walks it; no sort of 100,000 rows)
CREATE INDEX IF NOT EXISTS payment_search_account ON payment_search (identity, account_id, id);
-- every search column in the order of the results (newest first): a search walks this index
-- backwards and stops at its limit (a common word: ~1 ms instead of a scan and a sort of all
-- 100,000), and a date range seeks into it; a word found nowhere still reads all of it once
CREATE INDEX IF NOT EXISTS payment_search_newest
    ON payment_search (created, id, cents, haystack, identity, account_id);
-- identities forgotten for good (disconnected users: local ids are never reused)
CREATE TABLE IF NOT EXISTS forgotten (identity TEXT PRIMARY KEY, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS segments (
    identity TEXT NOT NULL,
    account_id INTEGER NOT NULL,
    covered_lo INTEGER NOT NULL,  -- 0: the account's oldest payment is cached
    covered_hi INTEGER,           -- NULL: nothing covered yet at the top (empty account)
    count INTEGER NOT NULL,       -- payments cached (kept here: COUNT(*) grows with the cache)
    last_synced TEXT NOT NULL,
    PRIMARY KEY (identity, account_id)
);
"""


@dataclass(frozen=True)
class Segment:
    """What is cached of one account's payments."""

    count: int
    covered_lo: int
    covered_hi: int | None
    newest_id: int | None
    oldest_id: int | None
    newest_created: dt.datetime | None
    oldest_created: dt.datetime | None
    last_synced: dt.datetime

    @property
    def complete(self) -> bool:
        return self.covered_lo == 0


def _cents(value: Decimal) -> int:
    return int(value.scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _stamp(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).strftime(TIME_FORMAT) if value is not None else None


def time_key(value: dt.datetime) -> str:
    """``value`` as the ``created`` column holds times (compare with it in SQL)."""
    return value.astimezone(dt.UTC).strftime(TIME_FORMAT)


def _parse_stamp(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    # written by _stamp in TIME_FORMAT, which fromisoformat reads (much faster than strptime)
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


# payment_search's record columns, in PaymentRow's order after its id
_ROW_COLUMNS = (
    "created_text",
    "amount",
    "currency",
    "counterparty_name",
    "counterparty_iban",
    "description",
    "type",
    "sub_type",
    "balance",
    "balance_currency",
    "monetary_account_id",
)
# built from the constants above only
_INSERT_COLUMNS = f"INSERT OR REPLACE INTO payment_search VALUES ({', '.join('?' * 18)})"  # noqa: S608
_SELECT_ROW = "SELECT id, " + ", ".join(_ROW_COLUMNS) + " FROM payment_search"  # noqa: S608


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26


class CacheError(Exception):
    """The cache cannot be used (``message`` and a ``hint`` saying what to do)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message)


class CacheClosedError(CacheError):
    """The cache was closed: the work that wanted it belonged to a session that is gone (its
    profile was set up again, or the app is exiting), so there is nothing to tell the user."""


class ForgottenError(CacheError):
    """A write for an identity that was forgotten (disconnected) after the fetch began."""


class _DamagedRow(Exception):
    """A stored row that does not parse: the file was changed by something else."""


ErrorFactory = Callable[[CacheError], Exception]


def _is_damage(exc: BaseException) -> bool:
    if isinstance(exc, _DamagedRow):
        return True
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


T = TypeVar("T")
P = ParamSpec("P")


def _parsed(parse: Callable[[], T]) -> T:
    try:
        return parse()
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError, ProtocolError) as exc:
        raise _DamagedRow(f"a cached row does not parse ({type(exc).__name__})") from None


def payment_from_row(raw: str) -> Payment:
    return _parsed(lambda: Payment.from_json(json.loads(raw)))


def _guarded(method: Callable[Concatenate[Cache, P], T]) -> Callable[Concatenate[Cache, P], T]:
    """Run a Cache method; a damaged file is moved aside and the method run once more on a
    fresh cache; any other SQLite or file error becomes the owner's error (no traceback)."""

    def run(self: Cache, /, *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(self, *args, **kwargs)
        except CacheError as exc:
            raise self._error(exc) from None
        except (sqlite3.Error, _DamagedRow) as exc:
            if not _is_damage(exc):
                raise self._failure(exc) from None
            try:
                self._set_aside(exc)
            except OSError as moved:
                raise self._failure(moved) from None
        except OSError as exc:
            raise self._failure(exc) from None
        try:
            return method(self, *args, **kwargs)
        except CacheError as exc:
            raise self._error(exc) from None
        except (sqlite3.Error, _DamagedRow, OSError) as exc:
            raise self._failure(exc) from None

    # not @functools.wraps: typeshed's wrapper type loses the Cache method's signature
    functools.update_wrapper(run, method)
    return run


class Cache:
    """``Cache(path, haystack)``; every method is synchronous and safe to call from any thread.

    ``haystack(payment)`` gives the text searched for a payment (the filter language's, so
    the SQL search and the in-memory filter agree).
    """

    def __init__(
        self,
        path: Path,
        haystack: Callable[[Payment], str],
        *,
        clock: Callable[[], dt.datetime] | None = None,
        on_notice: Callable[[str], object] | None = None,
        error: ErrorFactory | None = None,
    ) -> None:
        self.path = path
        self._haystack = haystack
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._lock = threading.RLock()
        # set by close() for good: a write still waiting for the lock gives up, and a late
        # write or read fails at once instead of reopening a connection nobody would close
        self._closed = threading.Event()
        # a forgotten identity's rows may still be in the WAL until a checkpoint truncates it
        self._unswept = False
        self._db: sqlite3.Connection | None = None
        self._inode: tuple[int, int] | None = None  # the file this connection opened
        self._on_notice = on_notice
        self._error = error or (lambda exc: exc)  # the owner's error type (core: CoreError)
        self.notices: list[str] = []

    # --- damage -------------------------------------------------------------------------------

    def _failure(self, exc: BaseException) -> Exception:
        if isinstance(exc, CacheError):
            return self._error(exc)
        text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return self._error(
            CacheError(
                f"the payment cache {self.path} cannot be used: {text}",
                "close other bunqtui windows and try again; the cache may also be deleted "
                "(bunqtui fetches it again from bunq)",
            )
        )

    def _set_aside(self, exc: BaseException) -> None:
        """Move a damaged cache file to ``<name>.damaged`` (unless another process already
        did) so the next access starts a fresh one; say so once."""
        with self._lock:
            if self._db is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._db.close()
                self._db = None
            aside = self.path.with_name(self.path.name + ".damaged")
            try:
                now = os.stat(self.path)
                same = self._inode is None or (now.st_dev, now.st_ino) == self._inode
            except FileNotFoundError:
                same = False
            self._inode = None
            if not same:
                return  # another bunqtui moved it aside already: use the new file
            os.replace(self.path, aside)
            for suffix in ("-wal", "-shm"):  # they belong to the damaged file
                extra = self.path.with_name(self.path.name + suffix)
                with contextlib.suppress(FileNotFoundError):
                    os.replace(extra, aside.with_name(aside.name + suffix))
            message = (
                f"the payment cache was damaged ({exc}); it was moved to {aside} and is being "
                "rebuilt from bunq (delete the damaged copy when you no longer need it)"
            )
            self.notices.append(message)
            if self._on_notice is not None:
                self._on_notice(message)

    # --- connection ---------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        ensure_private_dir(self.path.parent)
        # create the file 0600 before SQLite does (it would honour the umask); -wal/-shm copy it
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        os.close(fd)
        if self.path.stat().st_mode & 0o077:
            os.chmod(self.path, FILE_MODE)
        db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
        opened = os.stat(self.path)
        self._inode = (opened.st_dev, opened.st_ino)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            # a delete overwrites what it deletes (forget() leaves no rows in free space);
            # the default of some SQLite builds, not of all
            db.execute("PRAGMA secure_delete=ON")
            version: int = db.execute("PRAGMA user_version").fetchone()[0]
            if version == MIGRATES_FROM:
                version = self._migrate(db)
            if version not in (0, SCHEMA_VERSION):
                # a cache from an incompatible version is only a cache: start again
                db.executescript(
                    "DROP TABLE IF EXISTS payments; DROP TABLE IF EXISTS payment_search;"
                    "DROP TABLE IF EXISTS segments; DROP TABLE IF EXISTS accounts;"
                    "DROP TABLE IF EXISTS account_lists;"  # tombstones are kept
                )
            db.executescript(_SCHEMA)
            if version != SCHEMA_VERSION:  # no write at all when opening an up-to-date cache
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except BaseException:
            db.close()
            raise
        return db

    def _migrate(self, db: sqlite3.Connection) -> int:
        """Schema 2 → 3: add the record's columns and fill them from each row's stored JSON,
        a batch at a time, in one transaction (a second process waits, then finds it done).
        A row that does not parse is damage (the file is set aside). Returns the version."""
        db.execute("BEGIN IMMEDIATE")
        try:
            version: int = db.execute("PRAGMA user_version").fetchone()[0]
            if version != MIGRATES_FROM:
                db.execute("ROLLBACK")
                return version
            for column in _ROW_COLUMNS:
                kind = "INTEGER" if column == "monetary_account_id" else "TEXT"
                db.execute(f"ALTER TABLE payment_search ADD COLUMN {column} {kind}")
            stored = db.execute("SELECT pk, identity, account_id, raw FROM payments")
            while batch := stored.fetchmany(ROW_BATCH):
                values = []
                for pk, identity, account_id, raw in batch:
                    payment = payment_from_row(raw)
                    values.append((pk, identity, account_id, *self._columns(payment)))
                db.executemany(_INSERT_COLUMNS, values)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return SCHEMA_VERSION

    @property
    def db(self) -> sqlite3.Connection:
        """The shared connection, opened on first use (callers hold ``self._lock``)."""
        if self._closed.is_set():
            raise self._closed_error()
        if self._db is None:
            self._db = self._open()
        return self._db

    def _closed_error(self) -> CacheError:
        # only a late worker of a session being closed sees it (the app is closing or the
        # profile was opened again with a new Cache)
        return CacheClosedError(f"the payment cache {self.path} was closed")

    def close(self) -> None:
        """Close for good (a later call fails with CacheError); finish a pending sweep."""
        self._closed.set()  # first: a write waiting for the lock gives up (it holds none)
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
        if self._unswept:
            self._sweep()

    def _sweep(self) -> None:
        """Checkpoint the WAL and truncate it, without waiting.

        On a connection of its own, holding no lock of this cache, so reads go on meanwhile;
        a reader with an older snapshot (an export, another bunqtui) makes it give up at
        once ("busy"), and ``_unswept`` has it retried after the next write or at close()."""
        try:
            with contextlib.closing(
                sqlite3.connect(self.path, timeout=0, isolation_level=None)
            ) as db:
                busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.Error:
            busy = 1  # locked or damaged: retried later (a read reports damage)
        self._unswept = busy != 0

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction, taken before reading so another process cannot interleave.

        While another process holds the write lock, this waits (up to BUSY_TIMEOUT) between
        attempts holding neither this cache's lock nor SQLite's: reads from other threads go
        on, and close() ends the wait at once (asyncio.run joins the thread at exit)."""
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            with self._lock:
                db = self.db
                if self._begin(db):
                    try:
                        yield db
                    except BaseException:
                        with contextlib.suppress(sqlite3.Error):  # the first error counts
                            db.execute("ROLLBACK")
                        raise
                    db.execute("COMMIT")
                    break
            if self._closed.wait(BUSY_STEP):
                raise self._closed_error()
            if time.monotonic() > deadline:
                raise sqlite3.OperationalError("database is locked")
        if self._unswept:  # after the lock: a sweep never makes a read wait
            self._sweep()

    @staticmethod
    def _begin(db: sqlite3.Connection) -> bool:
        """BEGIN IMMEDIATE without SQLite's own busy wait; False while another writer holds it."""
        db.execute("PRAGMA busy_timeout = 0")
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY:
                return False
            raise
        finally:
            db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        return True

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self.db.execute(sql, params).fetchall()

    # --- accounts -----------------------------------------------------------------------------

    @_guarded
    def accounts(self, identity: str) -> list[MonetaryAccount] | None:
        """The cached account list in bunq's order, or None if it was never fetched."""
        with self._lock:
            listed = self.db.execute(
                "SELECT 1 FROM account_lists WHERE identity = ?", (identity,)
            ).fetchone()
            if listed is None:
                return None
            rows = self.db.execute(
                "SELECT kind, raw FROM accounts WHERE identity = ? ORDER BY position", (identity,)
            ).fetchall()
        return _parsed(lambda: [MonetaryAccount.from_json(json.loads(r), k) for k, r in rows])

    @_guarded
    def accounts_fetched_at(self, identity: str) -> dt.datetime | None:
        """When the cached account list was fetched (UTC), or None if it never was."""
        rows = self._read("SELECT fetched_at FROM account_lists WHERE identity = ?", (identity,))
        return _parsed(lambda: _parse_stamp(rows[0][0])) if rows else None

    @_guarded
    def put_accounts(self, identity: str, accounts: Iterable[MonetaryAccount]) -> None:
        rows = [(identity, a.id, i, a.kind, _dumps(a.raw)) for i, a in enumerate(accounts)]
        with self._write() as db:
            self._check_not_forgotten(db, identity)
            db.execute("DELETE FROM accounts WHERE identity = ?", (identity,))
            db.executemany("INSERT OR REPLACE INTO accounts VALUES (?, ?, ?, ?, ?)", rows)
            db.execute(
                "INSERT OR REPLACE INTO account_lists VALUES (?, ?)",
                (identity, _stamp(self._clock())),
            )

    # --- payments -----------------------------------------------------------------------------

    @_guarded
    def segment(self, identity: str, account_id: int) -> Segment | None:
        with self._lock:
            row = self.db.execute(
                "SELECT covered_lo, covered_hi, last_synced, count FROM segments"
                " WHERE identity = ? AND account_id = ?",
                (identity, account_id),
            ).fetchone()
            if row is None:
                return None
            ends = self.db.execute(
                "SELECT MAX(id), MIN(id) FROM payments WHERE identity = ? AND account_id = ?",
                (identity, account_id),
            ).fetchone()
            newest, oldest = ends
            created = {}
            for which, pid in (("newest", newest), ("oldest", oldest)):
                if pid is not None:
                    created[which] = self.db.execute(
                        "SELECT created FROM payment_search WHERE pk = (SELECT pk FROM payments"
                        " WHERE identity = ? AND account_id = ? AND id = ?)",
                        (identity, account_id, pid),
                    ).fetchone()[0]
            count = row[3]
        return Segment(
            count=count,
            covered_lo=row[0],
            covered_hi=row[1],
            newest_id=newest,
            oldest_id=oldest,
            newest_created=_parsed(lambda: _parse_stamp(created.get("newest"))),
            oldest_created=_parsed(lambda: _parse_stamp(created.get("oldest"))),
            last_synced=_parsed(lambda: _parse_stamp(row[2])) or self._clock(),
        )

    @_guarded
    def store_page(
        self,
        identity: str,
        account_id: int,
        items: Sequence[Payment],
        *,
        lo: int,
        hi: int | None,
    ) -> bool:
        """Store a page that holds *every* payment of the account with lo ≤ id ≤ hi
        (``hi`` None: up to the newest at fetch time; ``lo`` 0: back to the oldest).

        Merged only when it overlaps or touches the covered range (or nothing is cached
        yet); returns False, storing nothing, when it would leave a gap.
        """
        ids = [p.id for p in items]
        top = max(ids) if ids else None
        page_hi = hi if hi is not None else top
        rows = [(p.id, _dumps(p.raw), self._columns(p)) for p in items]
        with self._write() as db:
            self._check_not_forgotten(db, identity)
            row = db.execute(
                "SELECT covered_lo, covered_hi, count FROM segments"
                " WHERE identity = ? AND account_id = ?",
                (identity, account_id),
            ).fetchone()
            if row is None or row[1] is None:
                # nothing cached yet, or an account that had no payments: take the page
                new_lo, new_hi = lo, page_hi
            else:
                old_lo, old_hi, _ = row
                if lo > old_hi + 1 or (hi is not None and hi + 1 < old_lo):
                    return False  # a gap between the page and what is cached
                new_lo = min(old_lo, lo)
                new_hi = max(old_hi, page_hi) if page_hi is not None else old_hi
            added = self._insert(db, identity, account_id, rows)
            count = (row[2] if row is not None else 0) + added
            db.execute(
                "INSERT OR REPLACE INTO segments VALUES (?, ?, ?, ?, ?, ?)",
                (identity, account_id, new_lo, new_hi, count, _stamp(self._clock())),
            )
        return True

    @staticmethod
    def _check_not_forgotten(db: sqlite3.Connection, identity: str) -> None:
        """Inside the write transaction: an identity forgotten meanwhile takes no more rows."""
        gone = db.execute("SELECT 1 FROM forgotten WHERE identity = ?", (identity,)).fetchone()
        if gone is not None:
            raise ForgottenError(
                "this connected user was disconnected while bunqtui was fetching their data; "
                "nothing of theirs was kept",
            )

    @staticmethod
    def _insert(
        db: sqlite3.Connection, identity: str, account_id: int, rows: list[tuple[Any, ...]]
    ) -> int:
        """Insert or update payments; returns how many were not cached before."""
        added = 0
        for pid, raw, columns in rows:
            found = db.execute(
                "SELECT pk FROM payments WHERE identity = ? AND account_id = ? AND id = ?",
                (identity, account_id, pid),
            ).fetchone()
            if found is None:
                pk = db.execute(
                    "INSERT INTO payments (identity, account_id, id, raw) VALUES (?, ?, ?, ?)",
                    (identity, account_id, pid, raw),
                ).lastrowid
                added += 1
            else:
                pk = found[0]
                db.execute("UPDATE payments SET raw = ? WHERE pk = ?", (raw, pk))
            db.execute(_INSERT_COLUMNS, (pk, identity, account_id, *columns))
        return added

    def _columns(self, payment: Payment) -> tuple[Any, ...]:
        """payment_search's columns after (pk, identity, account_id), from ``id`` on."""
        row = PaymentRow.of(payment)
        return (
            payment.id,
            _stamp(payment.created),
            _cents(payment.amount.value),
            self._haystack(payment),
            *row[1:],
        )

    @_guarded
    def touch(self, identity: str, account_id: int) -> None:
        """Record that the account was checked just now (nothing new)."""
        with self._write() as db:
            db.execute(
                "UPDATE segments SET last_synced = ? WHERE identity = ? AND account_id = ?",
                (_stamp(self._clock()), identity, account_id),
            )

    @_guarded
    def payments(
        self, identity: str, account_id: int, *, offset: int = 0, limit: int = 200
    ) -> list[Payment]:
        rows = self._read(
            "SELECT raw FROM payments WHERE identity = ? AND account_id = ?"
            " ORDER BY id DESC LIMIT ? OFFSET ?",
            (identity, account_id, limit, offset),
        )
        return [payment_from_row(raw) for (raw,) in rows]

    def payment_rows(
        self,
        identity: str | None = None,
        account_id: int | None = None,
        *,
        where: str = "",
        params: Sequence[Any] = (),
        newest: str = "id",
        limit: int | None = None,
    ) -> Iterator[PaymentRow]:
        """Cached payments as ``PaymentRow``s matching the SQL condition ``where`` (over
        payment_search's columns), newest first by ``id`` or by ``created`` (as a search
        orders them), optionally within one identity and account.

        Streamed from a read snapshot of its own (a sync writing meanwhile is not seen, and
        nothing waits for the export), ``ROW_BATCH`` rows at a time: it never holds more. The
        file is opened (moved aside if damaged) before the first row is asked for."""
        if newest not in ("id", "created"):
            raise ValueError(f"newest is 'id' or 'created', not {newest!r}")
        clauses, args = [where or "1"], list(params)
        if identity is not None:
            clauses.append("identity = ?")
            args.append(identity)
        if account_id is not None:
            clauses.append("account_id = ?")
            args.append(account_id)
        order = "id DESC" if newest == "id" else "created DESC, id DESC"
        index = "payment_search_account" if newest == "id" else "payment_search_newest"
        args.append(-1 if limit is None else limit)  # SQLite: a negative LIMIT is none
        sql = (
            f"{_SELECT_ROW} INDEXED BY {index} WHERE {' AND '.join(f'({c})' for c in clauses)}"
            f" ORDER BY {order} LIMIT ?"
        )
        return self._stream(self._reader(), sql, args)

    @_guarded
    def _reader(self) -> sqlite3.Connection:
        """A second connection on the (opened, migrated) file, for a stream of rows.

        Also after close(): a stream closes its own connection, and the CLI prints a table's
        second pass of the rows after its session (and so this cache) is closed."""
        with self._lock:
            if self._closed.is_set():
                self._open().close()  # opens, migrates or sets aside, keeping no connection
            else:
                self.db  # noqa: B018 - opens, migrates or sets aside a damaged file first
        uri = self.path.absolute().as_uri() + "?mode=ro"
        return sqlite3.connect(uri, uri=True, timeout=10.0, check_same_thread=False)

    def _stream(
        self, reader: sqlite3.Connection, sql: str, args: Sequence[Any]
    ) -> Iterator[PaymentRow]:
        make = PaymentRow._make
        try:
            with contextlib.closing(reader):
                reader.execute("BEGIN")  # one snapshot from the first row to the last
                cursor = reader.execute(sql, args)
                while batch := cursor.fetchmany(ROW_BATCH):
                    yield from map(make, batch)
        except sqlite3.Error as exc:
            # rows may already be out: report it, without moving the file under the reader
            raise self._failure(exc) from None

    @_guarded
    def payment_count(self, identity: str, account_id: int) -> int:
        found = self._read(
            "SELECT count FROM segments WHERE identity = ? AND account_id = ?",
            (identity, account_id),
        )
        return found[0][0] if found else 0

    @_guarded
    def search(
        self,
        where: str,
        params: Sequence[Any],
        *,
        identity: str | None = None,
        account_id: int | None = None,
        limit: int = 500,
    ) -> list[Payment]:
        """Payments matching the SQL condition ``where`` (over the search columns), newest
        first; optionally within one identity and account."""
        clauses, args = [where or "1"], list(params)
        if identity is not None:
            clauses.append("identity = ?")
            args.append(identity)
        if account_id is not None:
            clauses.append("account_id = ?")
            args.append(account_id)
        args.append(limit)
        # along the covering index payment_search_newest: no sort, no reads of the table
        with self._lock:
            keys = [
                pk
                for (pk,) in self.db.execute(
                    # INDEXED BY: for one account, payment_search_account looks cheaper
                    # to SQLite, but it would sort every row of the account
                    "SELECT pk FROM payment_search INDEXED BY payment_search_newest"  # noqa: S608
                    f" WHERE {' AND '.join(f'({c})' for c in clauses)}"
                    " ORDER BY created DESC, id DESC LIMIT ?",
                    args,
                )
            ]
            raws: dict[int, str] = {}
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                raws.update(
                    self.db.execute(
                        f"SELECT pk, raw FROM payments WHERE pk IN ({marks})",  # noqa: S608
                        chunk,
                    ).fetchall()
                )
        return [payment_from_row(raws[pk]) for pk in keys]

    # --- forgetting ---------------------------------------------------------------------------

    @_guarded
    def forget(self, identity: str) -> None:
        """Delete everything cached for an identity (a disconnected user), for good: the
        tombstone, written in the same transaction, refuses any later write for it.

        The deletes overwrite the rows (``secure_delete``); the WAL's earlier copies of them
        go once a checkpoint truncates it: now, or, while another reader's snapshot still
        needs them, after a later write or at close()."""
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO forgotten VALUES (?, ?)", (identity, _stamp(self._clock()))
            )
            for table in ("payments", "payment_search", "segments", "accounts", "account_lists"):
                db.execute(f"DELETE FROM {table} WHERE identity = ?", (identity,))  # noqa: S608
            self._unswept = True  # _write sweeps after the commit, outside the lock

    @_guarded
    def identities(self) -> list[str]:
        rows = self._read("SELECT identity FROM account_lists UNION SELECT identity FROM segments")
        return sorted(r[0] for r in rows)
