"""Which statements may run outside a transaction (lms/database.py): plain reads only."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.database import is_plain_read


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT users.id, users.email FROM users WHERE users.id = %(user_id)s",
        "  select 1",
        "SELECT 'view' AS kind, lesson_views.item_key FROM lesson_views UNION ALL SELECT 'a'",
        "SELECT items.updated_at FROM items",  # 'update' inside a name is still a read
    ],
)
def test_plain_reads_need_no_transaction(statement: str):
    assert is_plain_read(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO lesson_views (user_id) VALUES (%(user_id)s)",
        "UPDATE enrollments SET last_item = %(key)s",
        "DELETE FROM api_tokens WHERE id = 1",
        "SAVEPOINT sa_savepoint_1",
        "CREATE INDEX ix ON users (email)",
        "WITH moved AS (UPDATE attempts SET status = 'graded' RETURNING id) SELECT * FROM moved",
        "SELECT * FROM attempts WHERE id = 1 FOR UPDATE",
        "SELECT * FROM attempts WHERE id = 1 FOR NO KEY UPDATE",
        "SELECT * FROM attempts FOR SHARE",
        "SELECT pg_advisory_xact_lock(42)",
        "SELECT nextval('users_id_seq')",
        "SELECT * INTO copy_of_users FROM users",
        "SHOW transaction_isolation",
    ],
)
def test_writes_locks_and_everything_else_begin_a_transaction(statement: str):
    assert not is_plain_read(statement)


@given(st.text(max_size=80))
def test_anything_not_starting_with_select_is_not_a_plain_read(text: str):
    if not text.lstrip().upper().startswith("SELECT"):
        assert not is_plain_read(text)
