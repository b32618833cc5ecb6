"""Fixtures shared by every test area: example course copies and a CLI runner."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sheetgrade.cli.main import cli

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "mlphys"

RunCli = Callable[..., Result]


@pytest.fixture
def example_dir(tmp_path: Path) -> Path:
    """A copy of the example course's files, with no database yet."""
    target = tmp_path / "course"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("gradebook.db*", "__pycache__"))
    return target


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """Run ``sheetgrade ARGS`` in-process; ``course=`` sets --course.

    The result has ``exit_code``, ``stdout`` and ``stderr`` (kept apart).
    """
    monkeypatch.delenv("SHEETGRADE_COURSE", raising=False)

    def run(*args: str, course: Path | None = None, input: str | None = None) -> Result:
        argv = [*(["--course", str(course)] if course else []), *map(str, args)]
        return CliRunner().invoke(cli, argv, input=input, catch_exceptions=False)

    return run


@pytest.fixture
def example_course(tmp_path: Path, run_cli: RunCli) -> Path:
    """The example course created by ``sheetgrade init --example mlphys``
    (roster and sheets in the database)."""
    target = tmp_path / "mlphys"
    result = run_cli("init", str(target), "--example", "mlphys")
    assert result.exit_code == 0, result.output
    return target


# --------------------------------------------------------------- the store's two databases

POSTGRES_ENV = "SHEETGRADE_TEST_POSTGRES"
POSTGRES_DEFAULT = (
    "postgresql://sheetgrade:sheetgrade@127.0.0.1:55432/sheetgrade"  # as .ci/setup.d/postgres.sh
)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The URL of a PostgreSQL database whose role may create databases.

    From ``$SHEETGRADE_TEST_POSTGRES``, else the server ``.ci/setup.d/postgres.sh``
    starts. Skips when there is none, except in CI (``$CI`` set), where a missing
    server fails the test: the PostgreSQL leg must run there.
    """
    url = os.environ.get(POSTGRES_ENV, POSTGRES_DEFAULT)
    try:
        import psycopg

        with psycopg.connect(_libpq(url), connect_timeout=5):
            pass
    except Exception as exc:  # ImportError, OperationalError: no usable server
        message = (
            f"no PostgreSQL at {url} ({exc.__class__.__name__}: {str(exc).strip()}); "
            f"run `bash .ci/setup.d/postgres.sh` or set {POSTGRES_ENV}"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return url


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture
def postgres_database(postgres_server: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test (dropped afterwards)."""
    import psycopg
    from psycopg import sql

    name = f"sgt_{secrets.token_hex(6)}"
    with psycopg.connect(_libpq(postgres_server), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base, _, _ = postgres_server.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(_libpq(postgres_server), autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test once on SQLite and once on PostgreSQL (through ``$SHEETGRADE_DATABASE``,
    which every course opened in the test, and every process it starts, then uses).

    Returns the URL of the PostgreSQL database, or ``"sqlite"``.
    """
    if request.param == "sqlite":
        monkeypatch.delenv("SHEETGRADE_DATABASE", raising=False)
        return "sqlite"
    url = str(request.getfixturevalue("postgres_database"))
    monkeypatch.setenv("SHEETGRADE_DATABASE", url)
    return url


# --------------------------------------------------------------- processes started together

RunTogether = Callable[..., list[subprocess.CompletedProcess[str]]]

_LAUNCHER = """\
import importlib, os, sys, time
for name in sys.argv[3].split(","):
    importlib.import_module(name)  # imports done before the start line
from sheetgrade.cli.main import cli
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[1]):
    time.sleep(0.002)
cli.main(sys.argv[4:], prog_name="sheetgrade")
"""


@pytest.fixture
def run_together(tmp_path: Path) -> RunTogether:
    """Run several ``sheetgrade`` commands in separate processes that start their
    commands at the same instant (each waits, imports done, for one start file).

    ``run_together([argv, argv], preload=("sheetgrade.cli.marks",))`` returns the
    completed processes in order; ``env`` adds environment variables; ``meanwhile``
    is called once the processes have been told to start.
    """

    def run(
        commands: list[list[str]],
        *,
        preload: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        meanwhile: Callable[[], None] | None = None,
        timeout: float = 300,
    ) -> list[subprocess.CompletedProcess[str]]:
        tag = secrets.token_hex(4)
        go = tmp_path / f"go-{tag}"
        ready = [tmp_path / f"ready-{tag}-{i}" for i in range(len(commands))]
        modules = ",".join(["sheetgrade.cli.main", *preload])
        full_env = {**os.environ, **(env or {})}
        procs = [
            subprocess.Popen(
                [sys.executable, "-P", "-c", _LAUNCHER, str(go), str(r), modules, *argv],
                env=full_env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for r, argv in zip(ready, commands, strict=True)
        ]
        deadline = time.monotonic() + timeout
        while not all(r.exists() for r in ready):
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                for p in procs:
                    p.kill()
                errors = [p.communicate()[1] for p in procs]
                raise AssertionError(f"a process did not get ready: {errors}")
            time.sleep(0.01)
        go.touch()
        if meanwhile:
            meanwhile()
        done = []
        for argv, p in zip(commands, procs, strict=True):
            out, err = p.communicate(timeout=max(1.0, deadline - time.monotonic()))
            done.append(subprocess.CompletedProcess(argv, p.returncode, out, err))
        return done

    return run


# --------------------------------------------------------------- clean-up of hostile trees

TOO_DEEP = 64


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Remove any folder tree deeper than :data:`TOO_DEEP` left in this run's temp folder.

    Attack tests build trees a thousand levels deep. pytest later deletes old
    temp folders with ``shutil.rmtree``, which recurses once per level and
    stops every later pytest run on this machine with a ``RecursionError``.
    """
    from sheetgrade.graders.sandbox.leftovers import remove_tree

    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None:
        return
    try:
        base = factory.getbasetemp()
    except (OSError, ValueError):
        return
    for folder in too_deep_folders(base, TOO_DEEP):
        remove_tree(folder)


def pytest_configure(config: pytest.Config) -> None:
    """Remove the ``garbage-*`` folders earlier runs could not delete.

    pytest renames an old temp folder to ``garbage-…`` before deleting it; one
    holding a tree too deep for ``shutil.rmtree`` stays, and every later run
    fails on it again at exit. Only those folders are touched: numbered ones
    may belong to a run going on beside this one.
    """
    import getpass
    import tempfile

    from sheetgrade.graders.sandbox.leftovers import remove_tree

    try:
        user = getpass.getuser()
    except (ImportError, KeyError, OSError):
        return
    root = Path(os.environ.get("PYTEST_DEBUG_TEMPROOT") or tempfile.gettempdir())
    for garbage in (root / f"pytest-of-{user}").glob("garbage-*"):
        remove_tree(garbage)


def too_deep_folders(root: Path, depth: int) -> Iterator[Path]:
    """Folders ``depth`` levels below ``root`` (walked without recursion)."""
    stack = [(root, 0)]
    while stack:
        folder, level = stack.pop()
        if level == depth:
            yield folder
            continue
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        stack.extend((Path(e.path), level + 1) for e in entries if e.is_dir(follow_symlinks=False))
