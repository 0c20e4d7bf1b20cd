"""A local ClickHouse HTTP interface over the embedded chdb engine (dev, demo and tests only).

chdb is the real ClickHouse engine in-process but serves no protocol; this server speaks the
subset of ClickHouse's HTTP interface that clickhouse-connect, curl and BI tools use, so they
talk to it as to a server. Production uses a real ClickHouse server (deploy/production/).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import re
import sys
import tempfile
import threading
import uuid
import zlib
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from chdb import session as chdb_session

from deploy.local.users import User, load_users

DEFAULT_FORMAT = "TabSeparated"
# Parameters clients send that steer the HTTP transport, not the query.
TRANSPORT_PARAMS = frozenset(
    {
        "query",
        "database",
        "user",
        "password",
        "query_id",
        "default_format",
        "session_id",
        "session_timeout",
        "session_check",
        "compress",
        "decompress",
        "enable_http_compression",
        "send_progress_in_http_headers",
        "http_headers_progress_interval_ms",
        "wait_end_of_query",
        "cancel_http_readonly_queries_on_client_close",
        "buffer_size",
        "http_response_buffer_size",
        "client_protocol_version",
        "date_time_input_format",
    }
)
READ_STATEMENTS = ("SELECT", "WITH", "SHOW", "DESCRIBE", "DESC", "EXISTS", "EXPLAIN")
_COMMENTS = re.compile(r"(--[^\n]*|/\*.*?\*/)", re.S)
_FORMAT = re.compile(r"\bFORMAT\s+(\w+)\s*;?\s*$", re.I)
_INSERT_FORMAT = re.compile(r"^\s*INSERT\b.*?\bFORMAT\s+(\w+)\s*", re.I | re.S)
# ClickHouse's own mapping of a few error codes to HTTP statuses; the rest are 500.
STATUS_OF_CODE = {62: 400, 47: 400, 60: 404, 81: 404, 164: 403, 497: 403, 516: 403}


class QueryError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def first_keyword(sql: str) -> str:
    stripped = _COMMENTS.sub(" ", sql).lstrip(" \t\r\n(")
    return stripped.split(None, 1)[0].upper() if stripped else ""


def check_readonly(sql: str) -> None:
    """A read-only user runs one read statement, writing no file."""
    text = _COMMENTS.sub(" ", sql).strip().rstrip(";")
    if (
        first_keyword(text) not in READ_STATEMENTS
        or ";" in text
        or re.search(r"\bINTO\s+OUTFILE\b", text, re.I)
    ):
        raise QueryError(
            164, "Code: 164. DB::Exception: Cannot execute query in readonly mode. (READONLY)"
        )


def error_code(message: str) -> int:
    match = re.match(r"\s*Code:\s*(\d+)", message)
    return int(match.group(1)) if match else 1002


def decompress(body: bytes, encoding: str) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "lz4":
        import lz4.frame

        return bytes(lz4.frame.decompress(body))
    if encoding == "zstd":
        from backports import zstd

        return bytes(zstd.decompress(body))
    if encoding == "br":
        import brotli

        return bytes(brotli.decompress(body))
    raise QueryError(1002, f"Code: 1002. DB::Exception: Unsupported Content-Encoding: {encoding}")


class Engine:
    """Two chdb sessions on the data directory: one for users who may write, and one for
    read-only users, set to ``readonly = 1`` once and for good. A statement filter cannot tell
    every way SQL can write or reach the machine (a quoted "--" hid a second statement from it,
    and ``file()`` read the admin's password file), so the engine itself refuses what a read-only
    user may not do, as a ClickHouse server does for a readonly profile. Requests take turns;
    settings a request sets are restored before the next one runs. A read-only session refuses
    any SET, so a read-only user's settings are not applied (a server refuses them too, unless
    its profile allows some)."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._session = chdb_session.Session(str(data_dir))
        self._readonly = chdb_session.Session(str(data_dir))
        self._readonly.query("SET readonly = 1")
        self._lock = threading.Lock()
        self._tmp = data_dir / "tmp-inserts"
        self._tmp.mkdir(exist_ok=True)
        # Each setting's value before any request set it. Every request's settings are
        # restored after it, so this stays the value to restore; looking it up in
        # system.settings took 3 ms, and clickhouse-connect sends a setting with every query.
        self._defaults: dict[str, str] = {}

    def run(
        self,
        sql: str,
        fmt: str,
        database: str,
        settings: dict[str, str],
        params: dict[str, str],
        data: bytes | None,
        readonly: bool = False,
    ) -> tuple[bytes, dict[str, int]]:
        session = self._readonly if readonly else self._session
        with self._lock:
            restore: list[str] = []
            try:
                session.query(f"USE {quote_ident(database)}")
                if not readonly:
                    self._apply_settings(settings, restore)
                if data is not None:
                    return self._insert(sql, data)
                result = session.query(sql, fmt, params=params or None)
                return bytes(result.bytes() or b""), {
                    "read_rows": int(result.rows_read()),
                    "read_bytes": int(result.bytes_read()),
                    "written_rows": 0,
                    "written_bytes": 0,
                }
            except Exception as exc:
                message = str(exc)
                raise QueryError(error_code(message), message) from exc
            finally:
                for statement in restore:
                    self._session.query(statement)

    def _apply_settings(self, settings: dict[str, str], restore: list[str]) -> None:
        """Sets each setting, adding to ``restore`` how to undo it before setting it: if a later
        one fails, the ones before it are undone all the same."""
        for name, value in settings.items():
            if not re.fullmatch(r"\w+", name):
                raise QueryError(115, f"Code: 115. DB::Exception: Unknown setting {name}")
            old = self._defaults.get(name)
            if old is None:
                old = self._defaults[name] = self._current_value(name)
            restore.append(f"SET {name} = {quote_value(old)}")
            self._session.query(f"SET {name} = {quote_value(value)}")

    def _current_value(self, name: str) -> str:
        current = self._session.query(
            "SELECT value FROM system.settings WHERE name = {n:String}",
            "TSVRaw",
            params={"n": name},
        ).bytes()
        if not current:
            raise QueryError(
                115, f"Code: 115. DB::Exception: Unknown setting {name}. (UNKNOWN_SETTING)"
            )
        return str(current.decode().rstrip("\n"))

    def _insert(self, sql: str, data: bytes) -> tuple[bytes, dict[str, int]]:
        """INSERT ... FORMAT X with the rows in the request body: chdb reads them from a file."""
        match = _INSERT_FORMAT.match(sql)
        if match is None:
            raise QueryError(62, "Code: 62. DB::Exception: INSERT with data needs FORMAT")
        head = sql[: match.start(1)].rstrip()
        head = re.sub(r"\bFORMAT\s*$", "", head, flags=re.I).rstrip()
        path = Path(tempfile.mkstemp(dir=self._tmp)[1])
        try:
            path.write_bytes(data)
            result = self._session.query(
                f"{head} FROM INFILE {quote_value(str(path))} FORMAT {match.group(1)}"
            )
        finally:
            path.unlink(missing_ok=True)
        return b"", {
            "read_rows": 0,
            "read_bytes": 0,
            "written_rows": int(result.rows_written()),
            "written_bytes": int(result.bytes_written()),
        }


def quote_ident(name: str) -> str:
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def quote_value(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Handler(BaseHTTPRequestHandler):
    server: ClickHouseHTTPServer
    protocol_version = "HTTP/1.1"
    # A reply is written as headers, then body; with Nagle's algorithm the body of the second
    # request on a kept-alive connection waited for the client's delayed ACK: 40 ms a request.
    disable_nagle_algorithm = True
    server_version = "touchstream-chdb"

    def do_GET(self) -> None:
        self._handle(readonly_method=True)

    def do_POST(self) -> None:
        self._handle(readonly_method=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Request lines only: query text may carry personal data, so it is never logged."""
        sys.stderr.write(
            f"{self.address_string()} {self.command} "
            f"{urlsplit(self.path).path} {args[1] if len(args) > 1 else ''}\n"
        )

    def _handle(self, readonly_method: bool) -> None:
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        body = self._read_body()
        if url.path in ("/ping", "/") and "query" not in params and not body:
            return self._reply(200, b"Ok.\n", {"Content-Type": "text/plain; charset=UTF-8"})
        query_id = params.get("query_id") or str(uuid.uuid4())
        try:
            user = self._authenticate(params)
            body = decompress(body, self.headers.get("Content-Encoding", ""))
            sql, data = self._split(params.get("query", ""), body)
            if user.readonly or (readonly_method and first_keyword(sql) not in READ_STATEMENTS):
                check_readonly(sql)
            settings = {
                k: v
                for k, v in params.items()
                if k not in TRANSPORT_PARAMS and not k.startswith("param_")
            }
            fmt = self._format(sql, params)
            query_params = {k[6:]: v for k, v in params.items() if k.startswith("param_")}
            output, summary = self.server.engine.run(
                sql,
                fmt,
                params.get("database", "default"),
                settings,
                query_params,
                data,
                readonly=user.readonly,
            )
        except QueryError as exc:
            return self._error(exc, query_id)
        except Exception as exc:  # a bug here must answer 500, not drop the connection
            return self._error(QueryError(1001, f"Code: 1001. DB::Exception: {exc!r}"), query_id)
        self._reply(
            200,
            output,
            {
                "Content-Type": "text/plain; charset=UTF-8"
                if fmt.startswith("Tab")
                else "application/octet-stream",
                "X-ClickHouse-Query-Id": query_id,
                "X-ClickHouse-Format": fmt,
                "X-ClickHouse-Timezone": "UTC",
                "X-ClickHouse-Server-Display-Name": "touchstream-chdb",
                "X-ClickHouse-Summary": json.dumps({k: str(v) for k, v in summary.items()}),
            },
        )

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _authenticate(self, params: dict[str, str]) -> User:
        name, password = "default", ""
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            name, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        elif self.headers.get("X-ClickHouse-User"):
            name = self.headers["X-ClickHouse-User"]
            password = self.headers.get("X-ClickHouse-Key", "")
        elif "user" in params:
            name, password = params["user"], params.get("password", "")
        user = self.server.users.get(name)
        digest = hashlib.sha256(password.encode()).hexdigest()
        if user is None or user.password_sha256_hex != digest:
            raise QueryError(
                516,
                f"Code: 516. DB::Exception: {name}: Authentication failed: "
                "password is incorrect, or there is no user with such name. "
                "(AUTHENTICATION_FAILED)",
            )
        return user

    @staticmethod
    def _split(url_query: str, body: bytes) -> tuple[str, bytes | None]:
        """ClickHouse's rule: the query is the URL's `query` followed by the body, except that
        an INSERT in the URL takes the body as its data."""
        if url_query and first_keyword(url_query) == "INSERT" and body:
            return url_query, body
        if not url_query and first_keyword(body[:4096].decode(errors="replace")) == "INSERT":
            # clickhouse-connect sends "INSERT ... FORMAT Native\n" then the rows, in the body.
            match = _INSERT_FORMAT.match(body[:65536].decode("latin-1"))
            if match is not None:
                head_len = match.end(1)
                rest = body[head_len:]
                data = rest[1:] if rest[:1] in (b"\n", b" ", b"\r") else rest
                return body[:head_len].decode(), data if data.strip() else None
        try:
            text = body.decode()
        except UnicodeDecodeError as exc:
            raise QueryError(27, "Code: 27. DB::Exception: query is not valid UTF-8") from exc
        return (url_query + "\n" + text) if url_query else text, None

    @staticmethod
    def _format(sql: str, params: dict[str, str]) -> str:
        match = _FORMAT.search(_COMMENTS.sub(" ", sql))
        if match and first_keyword(sql) != "INSERT":
            return match.group(1)
        return params.get("default_format", DEFAULT_FORMAT)

    def _error(self, exc: QueryError, query_id: str) -> None:
        status = STATUS_OF_CODE.get(exc.code, 500)
        text = str(exc)
        if not text.startswith("Code:"):
            text = f"Code: {exc.code}. DB::Exception: {text}"
        self._reply(
            status,
            (text.rstrip() + "\n").encode(),
            {
                "Content-Type": "text/plain; charset=UTF-8",
                "X-ClickHouse-Exception-Code": str(exc.code),
                "X-ClickHouse-Query-Id": query_id,
            },
        )

    def _reply(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
        try:
            self.send_response(
                status,
                HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else None,
            )
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass


class ClickHouseHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], engine: Engine, users: dict[str, User]) -> None:
        super().__init__(address, Handler)
        self.engine = engine
        self.users = users


def serve(host: str, port: int, data_dir: Path, users_file: Path) -> None:
    server = ClickHouseHTTPServer((host, port), Engine(data_dir), load_users(users_file))
    sys.stderr.write(
        f"ClickHouse HTTP interface (chdb) on http://{host}:{port}, data in {data_dir}\n"
    )
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--users-file", type=Path, required=True)
    args = parser.parse_args()
    serve(args.host, args.port, args.data_dir, args.users_file)


if __name__ == "__main__":
    main()
