"""The store: WAL, foreign keys, versioned schema with an upgrade path."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select, text

from sheetgrade.course import store
from sheetgrade.course.errors import StoreError


def test_new_database_is_current_wal_with_foreign_keys(tmp_path):
    engine = store.open_store("sqlite:///gradebook.db", tmp_path)
    assert (tmp_path / "gradebook.db").is_file()
    with engine.connect() as conn:
        assert store.current_version(conn) == store.SCHEMA_VERSION
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_upgrade_from_version_1_keeps_the_roster(tmp_path):
    engine = store.create_store_engine("sqlite:///gradebook.db", tmp_path)
    store.upgrade(engine, target=1)
    with store.transaction(engine) as conn:
        conn.execute(store.groups.insert().values(id="G1", name="Mo 14-16"))
        conn.execute(
            store.students.insert().values(
                id="s001", first_name="Anna", last_name="Weiß", matrikel="3100001", group_id="G1"
            )
        )
    raw = sqlite3.connect(tmp_path / "gradebook.db")
    assert "marks" not in {r[0] for r in raw.execute("select name from sqlite_master")}
    raw.close()

    engine = store.open_store("sqlite:///gradebook.db", tmp_path)
    with engine.connect() as conn:
        assert store.current_version(conn) == store.SCHEMA_VERSION
        assert conn.execute(select(store.students.c.last_name)).scalar() == "Weiß"
        assert conn.execute(select(store.marks)).all() == []


def test_upgrade_is_idempotent(tmp_path):
    engine = store.open_store("sqlite:///g.db", tmp_path)
    assert store.upgrade(engine) == store.SCHEMA_VERSION


def test_newer_database_is_refused(tmp_path):
    engine = store.open_store("sqlite:///g.db", tmp_path)
    with store.transaction(engine) as conn:
        conn.execute(store.schema_version.update().values(version=store.SCHEMA_VERSION + 1))
    with pytest.raises(StoreError, match="newer than this sheetgrade understands"):
        store.open_store("sqlite:///g.db", tmp_path)


def test_foreign_keys_are_enforced(tmp_path):
    engine = store.open_store("sqlite:///g.db", tmp_path)
    with pytest.raises(Exception, match="FOREIGN KEY"):
        with store.transaction(engine) as conn:
            conn.execute(store.students.insert().values(id="s1", group_id="nope"))
