"""How the platform talks to its database: connection settings, liveness checks, transactions.

Four things are tuned here, once per engine, by ``tune_engine``:

- **SQLite**: WAL and a busy timeout let several workers share one file; foreign keys are
  enforced; a savepoint taken before any write opens the transaction it needs.
- **PostgreSQL: a transaction begins at the first write.** psycopg runs in autocommit and a
  ``BEGIN`` is sent just before the first statement that is not a plain ``SELECT`` (an
  ``INSERT``, ``UPDATE``, ``DELETE``, ``SAVEPOINT``, DDL, a locking or sequence-moving
  ``SELECT``, or a streamed read, whose server-side cursor lives in a transaction). Reads
  before it run on their own, which under READ COMMITTED (PostgreSQL's
  default, never changed here) is what they would see inside a transaction anyway: each
  statement takes its own snapshot. Everything from the first write to the request's end is
  one transaction, committed or rolled back once (``commit_once``). A request that only
  reads sends neither ``BEGIN`` nor ``COMMIT``: a lesson re-read is two round trips, not
  five (a ping, BEGIN, two statements, COMMIT). pysqlite has always begun SQLite
  transactions the same way.
- **Waiting for locks**: a statement waits at most ``DB_LOCK_TIMEOUT`` seconds for a lock
  (SQLite's busy timeout, PostgreSQL's ``lock_timeout``), well inside gunicorn's 60-second
  worker timeout. A request that runs out of it, or that PostgreSQL picks as the victim of
  a deadlock or a serialization failure, is rolled back and answered 503 ``database_busy``
  with ``Retry-After`` (``is_contention``, ``lms.errors``), never a 500 or a killed worker.
- **Liveness**: a pooled connection idle for longer than ``DB_PING_AFTER_IDLE`` seconds is
  pinged before use and replaced when the ping fails, so a restarted database costs no
  request. A connection handed back moments ago is used without a ping (under load, every
  one). If the database goes away within that window, the request fails with a 503
  (``database_unavailable``, see ``lms.errors``) and the pool starts afresh. A connection
  comes back to the pool rolled back only when it holds a transaction.

Beside the tuning, ``DriverRead`` runs the lesson page's one statement on the driver
directly, on a connection each thread holds, while the request's session has not taken one
(``read_rows``).
"""

from __future__ import annotations

import contextlib
import itertools
import re
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.selectable import CompoundSelect

# A statement that reads without taking locks or moving sequences.
_SELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_NOT_PLAIN = re.compile(
    r"\bFOR\s+(?:UPDATE|SHARE|NO\s+KEY\s+UPDATE|KEY\s+SHARE)\b|\bINTO\b"
    r"|pg_advisory|nextval|setval|set_config|pg_notify|\blo_",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)  # statements are the compiled SQL strings: a bounded, small set
def is_plain_read(statement: str) -> bool:
    """Whether a statement can run outside a transaction with the same effect as inside one."""
    return bool(_SELECT.match(statement)) and not _NOT_PLAIN.search(statement)


def tune_engine(engine: Engine, ping_after_idle: float, lock_timeout: float) -> None:
    """Install the settings above on ``engine`` (called once per app)."""
    _ping_idle_connections(engine, ping_after_idle)
    _PING_AFTER[engine] = ping_after_idle
    event.listen(engine, "engine_disposed", _let_go_of_disposed)
    _roll_back_on_return_only_when_open(engine)
    if engine.dialect.name == "sqlite":
        _tune_sqlite(engine, lock_timeout)
    elif engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg":
        _begin_at_first_write(engine, lock_timeout)


def is_contention(error: BaseException | None) -> bool:
    """Whether a driver error means "busy, try again": a lock not granted in time, a deadlock
    or a serialization failure (PostgreSQL), a database locked past the busy timeout (SQLite)."""
    if getattr(error, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    message = str(error).lower()
    return type(error).__module__ == "sqlite3" and (
        "database is locked" in message or "database table is locked" in message
    )


# serialization_failure, deadlock_detected, lock_not_available
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def _ping_idle_connections(engine: Engine, after: float) -> None:
    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info["lms_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("lms_idle_since")
        if idle_since is None or time.monotonic() - idle_since <= after:
            return  # just opened, or handed back moments ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards this connection and checks out another (up to 3 tries).
            raise DisconnectionError("the pooled connection was closed") from error


ENGINE_OPTIONS = {"pool_reset_on_return": None}  # see _roll_back_on_return_only_when_open


def _roll_back_on_return_only_when_open(engine: Engine) -> None:
    """A connection handed back to the pool is rolled back only when it holds a transaction.

    The pool's own reset (``pool_reset_on_return``, off in ``ENGINE_OPTIONS``) rolls back
    every connection it gets back. Most come back holding none (a request that only read,
    or one already committed or rolled back by its session), and on psycopg even a rollback
    with nothing to undo goes through the driver's wait loop.
    """

    @event.listens_for(engine, "reset")
    def on_reset(dbapi_connection: Any, _record: Any, state: Any) -> None:
        if state.terminate_only:
            return  # the connection is being closed, not reused
        if in_database_transaction(dbapi_connection):
            dbapi_connection.rollback()


def _tune_sqlite(engine: Engine, lock_timeout: float) -> None:
    busy_ms = max(1, int(lock_timeout * 1000))

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        if ":memory:" not in str(engine.url):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "savepoint")
    def on_savepoint(connection: Any, _name: str) -> None:
        # pysqlite begins a transaction by itself only before INSERT/UPDATE/DELETE, so a
        # SAVEPOINT issued first (begin_nested before any write) would run outside one and its
        # release would commit at once. Begin it here; IMMEDIATE takes the write lock up front
        # (waiting out busy_timeout) since a savepoint guards writes.
        raw = connection.connection.dbapi_connection
        if not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")


def _begin_at_first_write(engine: Engine, lock_timeout: float) -> None:
    from psycopg import ServerCursor
    from psycopg.pq import TransactionStatus

    idle = TransactionStatus.IDLE
    timeout_ms = max(1, int(lock_timeout * 1000))

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection.info.transaction_status != idle:
            dbapi_connection.rollback()  # the dialect's first-connect queries
        dbapi_connection.autocommit = True
        dbapi_connection.execute(f"SET lock_timeout = {timeout_ms}")

    @event.listens_for(engine, "before_cursor_execute")
    def begin_before_write(
        _conn: Any, cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        if in_database_transaction(cursor.connection):
            return
        if isinstance(cursor, ServerCursor):  # a streamed read (yield_per) needs a transaction
            cursor.connection.execute("BEGIN")
        elif not is_plain_read(statement):
            cursor.execute("BEGIN")


def in_database_transaction(dbapi_connection: Any) -> bool:
    """Whether the driver's connection holds an open transaction (something to commit)."""
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is not None:  # psycopg: libpq's own status (0: idle), without building an enum
        return int(pgconn.transaction_status) != 0
    return bool(getattr(dbapi_connection, "in_transaction", True))  # sqlite3; else assume so


@dataclass(frozen=True)
class _Compiled:
    sql: str
    order: tuple[str, ...] | None  # parameter names in order, for a positional paramstyle
    fixed: dict[str, Any]
    required: frozenset[str]
    numbered: bytes = b""  # psycopg: the SQL with $1, $2... as PostgreSQL prepares it
    numbered_order: tuple[str, ...] = ()  # the parameter names behind $1, $2...


_NAMED = re.compile(r"%\((\w+)\)s|%%")


def _numbered(sql: str) -> tuple[bytes, tuple[str, ...]]:
    """psycopg's ``%(name)s`` placeholders as PostgreSQL's ``$1``, ``$2``... (one number per
    name, however often it appears), and ``%%`` as ``%``."""
    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return "%"
        if name not in order:
            order.append(name)
        return f"${order.index(name) + 1}"

    return _NAMED.sub(number, sql).encode(), tuple(order)


class DriverRead:
    """A read for the hottest page, run on a driver connection directly.

    A statement through the ORM session costs a session, a transaction, a connection wrapper
    and SQLAlchemy's execution context on top of the driver's own work: on a lesson re-read,
    more than the page's rendering. A ``DriverRead`` is a Core ``SELECT`` compiled once per
    dialect; ``rows`` runs the compiled SQL on the driver's cursor of the connection this
    thread holds (below), and converts each column as SQLAlchemy's type would (SQLite's
    datetimes and booleans). What stays as it was:

    - the engine's ``before_cursor_execute``/``after_cursor_execute`` listeners see the
      statement (the tests' and the bench's statement counts, PostgreSQL's begin-at-first-
      write check);
    - a connection that idled longer than ``DB_PING_AFTER_IDLE`` is pinged before use;
    - a driver error is raised as SQLAlchemy's ``DBAPIError`` (a lost connection marked
      ``connection_invalidated``, the pool renewed), so ``lms.errors`` answers it as any.

    Use ``read_rows``: it takes this path only while the request's session holds no
    connection, since a statement on another connection would not see the session's
    uncommitted writes. Parameters must be values the driver takes as they are (integers,
    strings); a statement whose parameters need converting is refused when compiled.
    """

    _names = itertools.count()

    def __init__(self, statement: Select[Any] | CompoundSelect) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}
        self._converters: dict[str, list[Any]] = {}
        # on PostgreSQL, the name it is prepared under on each connection that runs it
        self._name = f"lms_read_{next(self._names)}".encode()

    def _sql(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            for bind in compiled.binds.values():
                if bind.type.dialect_impl(dialect).bind_processor(dialect) is not None:
                    raise TypeError(f"parameter {bind.key!r} needs converting; use the session")
            required = frozenset(
                compiled.bind_names[bind] for bind in compiled.binds.values() if bind.required
            )
            sql = str(compiled)
            numbered, numbered_order = _numbered(sql) if dialect.driver == "psycopg" else (b"", ())
            found = self._compiled[dialect.name] = _Compiled(
                sql=sql,
                order=tuple(compiled.positiontup) if compiled.positiontup else None,
                # values written into the statement, as in where(User.id == 1)
                fixed={k: v for k, v in compiled.params.items() if k not in required},
                required=required,
                numbered=numbered,
                numbered_order=numbered_order,
            )
        return found

    def _converters_for(self, dialect: Dialect, type_codes: Callable[[], list[Any]]) -> list[Any]:
        """Per column, SQLAlchemy's conversion of the driver's value (None: kept as it is).
        Worked out from the first answer's column types, which are the statement's own and
        the same on every run (reading the driver's description costs time on each)."""
        found = self._converters.get(dialect.name)
        if found is None:
            found = self._converters[dialect.name] = [
                column.type.dialect_impl(dialect).result_processor(dialect, type_code)
                for column, type_code in zip(
                    self.statement.selected_columns, type_codes(), strict=True
                )
            ]
        return found

    def rows(self, engine: Engine, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Every row of the statement, with ``params``, each converted as SQLAlchemy would."""
        dialect = engine.dialect
        compiled = self._sql(dialect)
        missing = compiled.required.difference(params)
        if missing:
            raise TypeError(f"a value is required for {', '.join(sorted(missing))}")
        values = {**compiled.fixed, **params} if compiled.fixed else params
        sql, order = compiled.sql, compiled.order
        args: Any = tuple(values[name] for name in order) if order is not None else values
        connection = _held_connection(engine)
        raw: Any = connection.dbapi_connection
        try:
            prepared = (
                _run_prepared(engine, connection, self._name, compiled, values)
                if compiled.numbered
                else None
            )
            if prepared is not None:
                found, type_codes = prepared
            else:
                # the driver's own cursor (the pool's wrapper adds nothing here); psycopg's
                # asks for results in binary, which spares the server writing times and
                # numbers out as text and the driver parsing them back
                cursor = raw.cursor(binary=True) if compiled.numbered else raw.cursor()
                try:
                    engine.dispatch.before_cursor_execute(None, cursor, sql, args, None, False)
                    cursor.execute(sql, args)
                    found = cursor.fetchall()
                    engine.dispatch.after_cursor_execute(None, cursor, sql, args, None, False)
                    described = [column[1] for column in cursor.description]
                    type_codes = described.copy
                finally:
                    cursor.close()
            converters = self._converters_for(dialect, type_codes)
            if in_database_transaction(raw):
                raw.rollback()  # a driver that began one for a read: end it
        except dialect.loaded_dbapi.Error as error:
            lost = dialect.is_disconnect(error, connection.dbapi_connection, None)
            _let_go()  # a connection that failed a read is not trusted with the next
            if lost:
                engine.dispose(close=False)  # the others are as dead: start the pool afresh
            raise DBAPIError.instance(
                sql,
                args,
                error,
                dialect.loaded_dbapi.Error,
                connection_invalidated=lost,
                dialect=dialect,
            ) from error
        if not any(converters):
            return [tuple(row) for row in found]
        return [
            tuple(
                value if convert is None else convert(value)
                for convert, value in zip(converters, row, strict=True)
            )
            for row in found
        ]


_PREPARED = "lms_prepared"  # connection.info: the names prepared on this connection
_TRANSFORMERS = "lms_transformers"  # connection.info: psycopg's loaders, by name


class _PreparedRun:
    """What the engine's cursor events see of a prepared read, in place of a cursor: its
    connection, and afterwards the number of rows."""

    __slots__ = ("connection", "rowcount")

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.rowcount = -1


def _run_prepared(
    engine: Engine,
    connection: PoolProxiedConnection,
    name: bytes,
    compiled: _Compiled,
    values: dict[str, Any],
) -> tuple[list[tuple[Any, ...]], Callable[[], list[Any]]] | None:
    """Run a read on psycopg's libpq connection as a statement prepared on it once: rows and
    their column types, or None when this path cannot (a parameter that is not an integer
    or a string, or an answer that is not rows) and the caller's cursor should run it.

    psycopg's cursor prepares a statement it has run five times too, but each run still
    goes through its Python layers (the cursor, its query, its wait loop), which cost the
    lesson page more than the database's own work. Here the prepared statement is executed
    by libpq directly (the call lets other threads run while it waits) and the rows are made
    by psycopg's loaders, the ones its cursor uses. When the answer is an error, the cursor
    runs the statement again and raises psycopg's exception for it, as the fallback for
    anything unexpected: a statement dropped from the connection (``DISCARD``) is prepared
    again on the next run."""
    from psycopg import pq
    from psycopg.adapt import Transformer

    params: list[bytes] = []
    for key in compiled.numbered_order:
        value = values[key]
        if isinstance(value, str):
            params.append(value.encode())
        elif isinstance(value, int) and not isinstance(value, bool):
            params.append(str(value).encode())
        else:
            return None  # the cursor adapts it
    raw: Any = connection.dbapi_connection
    info = connection.info
    ready: set[bytes] = info.setdefault(_PREPARED, set())
    pgconn = raw.pgconn
    if name not in ready:
        made = pgconn.prepare(name, compiled.numbered)
        if made.status != pq.ExecStatus.COMMAND_OK and _sqlstate(made) != b"42P05":
            return None  # not "already prepared" (by a run whose answer was lost)
        ready.add(name)
    run = _PreparedRun(raw)
    engine.dispatch.before_cursor_execute(None, run, compiled.sql, values, None, False)
    result = pgconn.exec_prepared(name, params, result_format=pq.Format.BINARY)
    if result.status != pq.ExecStatus.TUPLES_OK:
        if _sqlstate(result) == b"26000":  # no such prepared statement: dropped
            ready.discard(name)
        return None
    run.rowcount = result.ntuples
    engine.dispatch.after_cursor_execute(None, run, compiled.sql, values, None, False)
    # psycopg's loaders for the statement's columns, chosen on its first run on this
    # connection and kept: a prepared statement's columns cannot change under it (the server
    # refuses to run one whose result would, and the cursor takes over)
    transformers: dict[bytes, Any] = info.setdefault(_TRANSFORMERS, {})
    transformer = transformers.get(name)
    if transformer is None:
        transformer = transformers[name] = Transformer(raw)
        transformer.set_pgresult(result, format=pq.Format.BINARY)
    else:
        transformer.set_pgresult(result, set_loaders=False)
    rows = transformer.load_rows(0, result.ntuples, tuple)
    return rows, lambda: [result.ftype(i) for i in range(result.nfields)]


def _sqlstate(result: Any) -> bytes | None:
    from psycopg import pq

    code: bytes | None = result.error_field(pq.DiagnosticField.SQLSTATE)
    return code


# Each thread keeps the connection its driver reads use, checked out of the pool: taking a
# connection out of the pool and handing it back (the pool's bookkeeping, its listeners,
# the reset) costs more than the read itself. A thread holds at most one, of one engine; one
# that idled for longer than the engine's DB_PING_AFTER_IDLE is pinged first, as the pool
# would, and replaced when it does not answer; one whose engine or pool has gone (disposed,
# or renewed after a lost connection) is closed. Reads leave no transaction open on it. The
# held connection counts as checked out, so the pool's size limit still holds.
_held = threading.local()
_PING_AFTER: weakref.WeakKeyDictionary[Engine, float] = weakref.WeakKeyDictionary()


def _held_connection(engine: Engine) -> PoolProxiedConnection:
    held = getattr(_held, "state", None)
    now = time.monotonic()
    if held is not None:
        connection, owner, pool, used_at = held
        if owner() is engine and pool is engine.pool and connection.is_valid:
            if now - used_at <= _PING_AFTER.get(engine, 2.0) or _answers(engine, connection):
                _held.state = (connection, owner, pool, now)
                return connection
            _let_go()  # closed while this thread was not using it
        else:
            _let_go()  # its engine or pool is gone
    connection = engine.raw_connection()  # from the pool, pinged if it idled there
    _held.state = (connection, weakref.ref(engine), engine.pool, now)
    return connection


def _answers(engine: Engine, connection: PoolProxiedConnection) -> bool:
    """Whether a connection that idled answers a ping (as the pool asks on checkout)."""
    raw = connection.dbapi_connection
    if raw is None:
        return False
    try:
        engine.dialect.do_ping(raw)
    except engine.dialect.loaded_dbapi.Error:
        return False
    return True


def _let_go_of_disposed(engine: Engine) -> None:
    """The engine is being disposed: this thread closes the connection it holds of it (other
    threads close theirs on their next read, when they find the pool renewed)."""
    held = getattr(_held, "state", None)
    if held is not None and held[1]() is engine:
        _let_go()


def _let_go() -> None:
    """Stop holding this thread's connection, and close it: it failed, did not answer a
    ping, or belongs to an engine or pool that is gone."""
    held = getattr(_held, "state", None)
    _held.state = None
    if held is None:
        return
    with contextlib.suppress(Exception):  # closing a dead connection may fail; it is dropped
        held[0].invalidate()


def read_rows(
    sessions: scoped_session[Any], engine: Engine, read: DriverRead, params: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """``read``'s rows: on a pooled driver connection while the request's session holds no
    connection (nothing of the request is unwritten there; a request that has not used its
    session yet does not even start one), else through the session's own connection."""
    if sessions.registry.has():
        session = sessions()
        if session_holds_connection(session):
            return [tuple(row) for row in session.connection().execute(read.statement, params)]
    return read.rows(engine, params)


def session_holds_connection(session: Session) -> bool:
    """Whether ``session``'s current transaction has checked out a connection (so holds
    whatever the request wrote and has not committed)."""
    return bool(session.info.get(_CONNECTED))


_CONNECTED = "lms_connected"


@event.listens_for(Session, "after_begin")
def _connection_taken(session: Session, _transaction: Any, _connection: Any) -> None:
    session.info[_CONNECTED] = True


@event.listens_for(Session, "after_transaction_end")
def _connection_given_back(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction: its connection is released
        session.info.pop(_CONNECTED, None)
