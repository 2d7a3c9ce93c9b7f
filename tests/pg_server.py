"""A real PostgreSQL server for the test run, from Debian's ``postgresql`` package.

``PgServer.start()`` makes a throw-away cluster (``initdb``) in a temporary directory, starts it
on a free port of 127.0.0.1 (and a socket in its own directory), and ``stop()`` removes it.
``initdb`` and ``postgres`` refuse to run as root, so as root (CI, this machine) the server
runs as the unprivileged ``postgres`` user the package creates, in a directory it owns.
The cluster is tuned for tests, not for keeping data: no fsync, no full-page writes.

When PostgreSQL is not installed, ``PgServer.start()`` raises ``PostgresMissing`` saying how
to install it: the PostgreSQL tests then fail, they are never skipped.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = (
    "PostgreSQL is not installed, so the PostgreSQL half of the storage tests cannot run: "
    "install Debian's package (apt-get install postgresql; .ci/run does this) and run again"
)


class PostgresMissing(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def find_bindir() -> Path:
    """The directory with ``initdb``, ``pg_ctl`` and ``postgres`` (newest version first)."""
    if env := os.environ.get("COMPACTBOT_PG_BINDIR"):  # this one, or none
        candidates = [Path(env)]
    else:
        candidates = sorted(
            Path("/usr/lib/postgresql").glob("*/bin"),
            key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
            reverse=True,
        )
        if found := shutil.which("pg_ctl"):
            candidates.append(Path(found).parent)
    for bindir in candidates:
        if all((bindir / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    raise PostgresMissing(INSTALL_HINT)


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """One throw-away PostgreSQL cluster (see the module docstring)."""

    def __init__(self, bindir: Path, root: Path, port: int, user: str | None) -> None:
        self.bindir = bindir
        self.root = root
        self.data = root / "data"
        self.port = port
        self.user = user
        """The unprivileged account the server runs as (None: the current user)."""
        self._names = itertools.count(1)
        self._options = ""

    @classmethod
    def start(cls, max_connections: int = 200, *, durable: bool = False) -> PgServer:
        """``durable``: a commit is in the WAL before it returns (``synchronous_commit``), so
        the server stopped at once (``halt``) keeps every committed transaction, as a real one
        does; otherwise the last few may be lost (quicker, and no test needs them)."""
        bindir = find_bindir()
        user = None
        root = Path(tempfile.mkdtemp(prefix="compactbot-pg-"))
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresMissing(
                    "PostgreSQL refuses to run as root and there is no 'postgres' user to run "
                    "it as (Debian's postgresql package creates one)"
                ) from None
            user = account.pw_name
            os.chown(root, account.pw_uid, account.pw_gid)
        server = cls(bindir, root, free_port(), user)
        try:
            server._run(
                "initdb", "-D", str(server.data), "-U", "postgres", "--auth=trust",
                "--encoding=UTF8", "--locale=C", "-N",
            )  # fmt: skip
            server._options = (
                f"-p {server.port} -k {root} -c listen_addresses=127.0.0.1"
                f" -c max_connections={max_connections} -c fsync=off"
                f" -c synchronous_commit={'on' if durable else 'off'}"
                " -c full_page_writes=off -c shared_buffers=64MB"
                " -c max_locks_per_transaction=256"
            )
            server.resume()
        except BaseException:
            server.remove()
            raise
        return server

    def halt(self) -> None:
        """Stop the server at once, as a crash or a failover would (its data stays)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def resume(self) -> None:
        """Start the server (again), on the same port, and wait until it takes connections."""
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", self._options, "-l",
            str(self.root / "server.log"), "-w", "-t", "60", "start",
        )  # fmt: skip

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.root, timeout=120)
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed: {done.stderr.strip()}\n{tail}")

    def create_database(self, name: str) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_name(self, stem: str = "t") -> str:
        """A database name not used before in this run."""
        clean = "".join(c if c.isalnum() else "_" for c in stem.lower())[:40]
        return f"{clean}_{os.getpid()}_{next(self._names)}"

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self.remove()

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
