"""search index: name n-grams, pinyin, ID and phone keys for as-you-type search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from station_desktop.store.search import install_search_triggers

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_key",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "person_id", "kind", name=op.f("pk_search_key")),
        # The key index is the table: no second copy of every key.
        sqlite_with_rowid=False,
    )
    op.create_table(
        "search_pending",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_search_pending")),
    )
    conn = op.get_bind()
    install_search_triggers(conn)
    # Index everyone already on file at the next search.
    conn.exec_driver_sql("INSERT INTO search_pending (person_id) SELECT id FROM person")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS search_person_insert")
    op.execute("DROP TRIGGER IF EXISTS search_person_update")
    op.drop_table("search_pending")
    op.drop_table("search_key")
