"""sync state: peers, bundle log, conflict list; per-field clocks in the change log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from station_desktop.store.capture import install_triggers

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The synced tables of this revision, frozen: every trigger is reinstalled so
# the change log takes a field clock named by the merge (write_context.apply_hlc).
SYNCED_TABLES = (
    "station", "station_assessment", "operator", "catalogue_item", "person",
    "family_member", "campaign", "life_event", "visit", "aid_application",
    "aid_review", "aid_payment", "dispute_case", "case_step", "honour",
    "volunteer_team", "volunteer_member", "volunteer_activity", "volunteer_hours",
)


def upgrade() -> None:
    with op.batch_alter_table("write_context") as batch:
        batch.add_column(sa.Column("apply_hlc", sa.Integer(), nullable=True))
    op.create_table(
        "sync_peer",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("relation", sa.String(length=10), nullable=False),
        sa.Column("parent_code", sa.String(length=12), nullable=True),
        sa.Column("signing_public", sa.String(length=64), nullable=False),
        sa.Column("encryption_public", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=24), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("key_epoch", sa.Integer(), nullable=False),
        sa.Column("enrolled_at", sa.String(length=24), nullable=False),
        sa.Column("revoked_at", sa.String(length=24), nullable=True),
        sa.Column("acked_seq", sa.Integer(), nullable=False),
        sa.Column("received_seq", sa.Integer(), nullable=False),
        sa.Column("received_max", sa.Integer(), nullable=False),
        sa.Column("gaps", sa.JSON(), nullable=False),
        sa.Column("last_bundle_at", sa.String(length=24), nullable=True),
        sa.Column("last_bundle_created", sa.String(length=24), nullable=True),
        sa.Column("last_export_at", sa.String(length=24), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_sync_peer")),
    )
    op.create_table(
        "sync_bundle",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.String(length=24), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("sender", sa.String(length=12), nullable=True),
        sa.Column("recipient", sa.String(length=12), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=True),
        sa.Column("from_seq", sa.Integer(), nullable=True),
        sa.Column("to_seq", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.String(length=24), nullable=True),
        sa.Column("file_name", sa.String(length=260), nullable=True),
        sa.Column("operator_id", sa.String(length=36), nullable=True),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_bundle")),
    )
    op.create_index(op.f("ix_sync_bundle_sha256"), "sync_bundle", ["sha256"])
    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.String(length=24), nullable=False),
        sa.Column("peer_code", sa.String(length=12), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("kept_value", sa.JSON(), nullable=True),
        sa.Column("lost_value", sa.JSON(), nullable=True),
        sa.Column("kept_hlc", sa.Integer(), nullable=False),
        sa.Column("lost_hlc", sa.Integer(), nullable=False),
        sa.Column("kept_from", sa.String(length=12), nullable=False),
        sa.Column("lost_from", sa.String(length=12), nullable=False),
        sa.Column("resolved_at", sa.String(length=24), nullable=True),
        sa.Column("resolution", sa.String(length=10), nullable=True),
        sa.Column("resolved_by", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )
    op.create_index("ix_sync_conflict_open", "sync_conflict",
                    ["resolved_at", "table_name", "row_id"])
    install_triggers(op.get_bind(), SYNCED_TABLES)


def downgrade() -> None:
    op.drop_table("sync_conflict")
    op.drop_table("sync_bundle")
    op.drop_table("sync_peer")
    with op.batch_alter_table("write_context") as batch:
        batch.drop_column("apply_hlc")
    install_triggers(op.get_bind(), SYNCED_TABLES)
