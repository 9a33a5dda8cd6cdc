"""county summary: per-station figures of the county home page, refreshed by the bundle import

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

Local derived data (``store/county_summary.py``): not a synced table, so no
capture triggers, and never in a bundle. ``county_summary`` holds, per
station and quarter window, the rows of every county figure grouped by the
day they start counting (``enter_on``) and the day they stop (``leave_on``,
NULL: not within the window), so any day of the window is read exactly.
``county_summary_state`` says which stations' rows are current for which
window; the trigger on ``change_log`` (every captured write, whatever the
write path) drops a station's state the moment one of its rows changes.

``ix_person_deleted`` (the few persons in the recycle bin) serves
``stats.of_live_person``: without it every figure of records (events, aid,
honours) reads the whole person table to find them, which made recomputing
one station's summary cost as much as the county's size (106 ms at 400
stations, 30 ms at 100); with it, that list is a few index entries.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "county_summary",
        sa.Column("period_key", sa.String(length=7), nullable=False),
        sa.Column("station_code", sa.String(length=12), nullable=False),
        sa.Column("figure", sa.String(length=80), nullable=False),
        sa.Column("enter_on", sa.String(length=10), nullable=False),
        sa.Column("leave_on", sa.String(length=10), nullable=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("latest", sa.String(length=24), nullable=True),
    )
    op.create_index("ix_county_summary_period_station", "county_summary",
                    ["period_key", "station_code"])
    op.create_table(
        "county_summary_state",
        sa.Column("station_code", sa.String(length=12), nullable=False),
        sa.Column("period_key", sa.String(length=7), nullable=False),
        sa.Column("valid_from", sa.String(length=10), nullable=False),
        sa.Column("valid_to", sa.String(length=10), nullable=False),
        sa.Column("defs_hash", sa.String(length=16), nullable=False),
        sa.Column("computed_at", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("station_code", "period_key",
                                name=op.f("pk_county_summary_state")),
    )
    op.create_index("ix_person_deleted", "person", ["id"],
                    sqlite_where=sa.text("deleted_at IS NOT NULL"))
    op.execute(
        "CREATE TRIGGER county_summary_stale AFTER INSERT ON change_log "
        "BEGIN DELETE FROM county_summary_state WHERE station_code = NEW.station_code; END"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS county_summary_stale")
    op.drop_index("ix_person_deleted", table_name="person")
    op.drop_table("county_summary_state")
    op.drop_index("ix_county_summary_period_station", table_name="county_summary")
    op.drop_table("county_summary")
