"""The store: versioned schema with an upgrade path, on SQLite (WAL, foreign keys) and
on PostgreSQL alike."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text

from sheetgrade.course import store
from sheetgrade.course.errors import StoreError


@pytest.fixture
def url(database: str) -> str:
    """``sqlite:///g.db`` (in the test's folder) or a fresh PostgreSQL database."""
    return "sqlite:///g.db" if database == "sqlite" else database


def test_new_sqlite_database_is_current_wal_with_foreign_keys(tmp_path):
    engine = store.open_store("sqlite:///gradebook.db", tmp_path)
    assert (tmp_path / "gradebook.db").is_file()
    with engine.connect() as conn:
        assert store.current_version(conn) == store.SCHEMA_VERSION
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_upgrade_from_version_1_keeps_the_roster(tmp_path, url):
    engine = store.create_store_engine(url, tmp_path)
    store.upgrade(engine, target=1)
    with store.transaction(engine) as conn:
        conn.execute(store.groups.insert().values(id="G1", name="Mo 14-16"))
        conn.execute(
            store.students.insert().values(
                id="s001", first_name="Anna", last_name="Weiß", matrikel="3100001", group_id="G1"
            )
        )
    with engine.connect() as conn:
        assert not inspect(conn).has_table("marks")
    engine.dispose()

    engine = store.open_store(url, tmp_path)
    with engine.connect() as conn:
        assert store.current_version(conn) == store.SCHEMA_VERSION
        assert conn.execute(select(store.students.c.last_name)).scalar() == "Weiß"
        assert conn.execute(select(store.marks)).all() == []
        tables = set(inspect(conn).get_table_names())
    assert tables == {t.name for step in store.UPGRADES for t in step} | {"schema_version"}
    engine.dispose()


def test_upgrade_is_idempotent(tmp_path, url):
    engine = store.open_store(url, tmp_path)
    assert store.upgrade(engine) == store.SCHEMA_VERSION
    engine.dispose()


def test_newer_database_is_refused(tmp_path, url):
    engine = store.open_store(url, tmp_path)
    with store.transaction(engine) as conn:
        conn.execute(store.schema_version.update().values(version=store.SCHEMA_VERSION + 1))
    engine.dispose()
    with pytest.raises(StoreError, match="newer than this sheetgrade understands"):
        store.open_store(url, tmp_path)


def test_foreign_keys_are_enforced(tmp_path, url):
    engine = store.open_store(url, tmp_path)
    with pytest.raises(Exception, match="(?i)foreign key"):
        with store.transaction(engine) as conn:
            conn.execute(store.students.insert().values(id="s1", group_id="nope"))
    engine.dispose()


def test_database_env_var_overrides_course_yml(tmp_path, monkeypatch):
    monkeypatch.setenv(store.ENV_VAR, "sqlite:///other.db")
    assert store.database_url("sqlite:///gradebook.db") == "sqlite:///other.db"
    monkeypatch.delenv(store.ENV_VAR)
    assert store.database_url("sqlite:///gradebook.db") == "sqlite:///gradebook.db"


def test_unreachable_postgresql_is_a_clear_error_without_the_password(tmp_path):
    with pytest.raises(StoreError) as info:
        store.open_store("postgresql://tutor:hunter2@127.0.0.1:1/course", tmp_path)
    message = str(info.value)
    assert message.startswith("cannot open the database at postgresql+psycopg://tutor:***@")
    assert "hunter2" not in message
