"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from station_desktop.store.capture import install_guards, install_triggers

# The synced tables of this revision, frozen here: later revisions that add
# or change tables reinstall the triggers for the tables they touch.
SYNCED_TABLES = (
    "station", "station_assessment", "operator", "catalogue_item", "person",
    "family_member", "campaign", "life_event", "visit", "aid_application",
    "aid_review", "aid_payment", "dispute_case", "case_step", "honour",
    "volunteer_team", "volunteer_member", "volunteer_activity", "volunteer_hours",
)


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.String(length=24), nullable=False),
    sa.Column('operator_id', sa.String(length=36), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    op.create_table('campaign',
    sa.Column('holiday', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('planned', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign'))
    )
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_station_code'), ['station_code'], unique=False)

    op.create_table('catalogue_item',
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('sort', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_item'))
    )
    with op.batch_alter_table('catalogue_item', schema=None) as batch_op:
        batch_op.create_index('ix_catalogue_item_kind_code', ['kind', 'code'], unique=True)
        batch_op.create_index(batch_op.f('ix_catalogue_item_station_code'), ['station_code'], unique=False)

    op.create_table('change_log',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.String(length=24), nullable=False),
    sa.Column('table_name', sa.String(length=40), nullable=False),
    sa.Column('row_id', sa.String(length=36), nullable=False),
    sa.Column('op', sa.String(length=1), nullable=False),
    sa.Column('hlc', sa.Integer(), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=True),
    sa.Column('operator_id', sa.String(length=36), nullable=True),
    sa.Column('origin', sa.String(length=12), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_change_log')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index('ix_change_log_row', ['table_name', 'row_id'], unique=False)

    op.create_table('hlc_clock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hlc_clock'))
    )
    op.create_table('meta',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_meta'))
    )
    op.create_table('operator',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('post', sa.String(length=50), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('pin_hash', sa.String(length=200), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operator'))
    )
    with op.batch_alter_table('operator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operator_station_code'), ['station_code'], unique=False)

    op.create_table('person',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('ethnicity', sa.String(length=10), nullable=True),
    sa.Column('political_status', sa.String(length=2), nullable=True),
    sa.Column('marital_status', sa.String(length=12), nullable=True),
    sa.Column('health', sa.String(length=200), nullable=True),
    sa.Column('education', sa.String(length=40), nullable=True),
    sa.Column('hukou_type', sa.String(length=20), nullable=True),
    sa.Column('hukou_place', sa.String(length=200), nullable=True),
    sa.Column('residence', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('phone2', sa.String(length=30), nullable=True),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('key_focus', sa.Boolean(), nullable=False),
    sa.Column('key_focus_reason', sa.String(length=200), nullable=True),
    sa.Column('social_insurance', sa.String(length=200), nullable=True),
    sa.Column('housing', sa.String(length=200), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('enlist_date', sa.Date(), nullable=True),
    sa.Column('enlist_place', sa.String(length=100), nullable=True),
    sa.Column('unit', sa.String(length=100), nullable=True),
    sa.Column('service_branch', sa.String(length=20), nullable=True),
    sa.Column('rank', sa.String(length=40), nullable=True),
    sa.Column('post', sa.String(length=100), nullable=True),
    sa.Column('awards', sa.Text(), nullable=True),
    sa.Column('punishments', sa.Text(), nullable=True),
    sa.Column('special_service', sa.String(length=200), nullable=True),
    sa.Column('re_enlisted', sa.Boolean(), nullable=False),
    sa.Column('discharge_date', sa.Date(), nullable=True),
    sa.Column('service_years', sa.Integer(), nullable=True),
    sa.Column('discharge_cert_type', sa.String(length=40), nullable=True),
    sa.Column('discharge_cert_no', sa.String(length=60), nullable=True),
    sa.Column('discharge_mode', sa.String(length=20), nullable=True),
    sa.Column('resettlement_mode', sa.String(length=20), nullable=True),
    sa.Column('resettlement_unit', sa.String(length=200), nullable=True),
    sa.Column('employment_status', sa.String(length=20), nullable=True),
    sa.Column('employer', sa.String(length=200), nullable=True),
    sa.Column('income_band', sa.String(length=40), nullable=True),
    sa.Column('zero_employment_family', sa.Boolean(), nullable=False),
    sa.Column('business', sa.Text(), nullable=True),
    sa.Column('training', sa.Text(), nullable=True),
    sa.Column('benefit_kinds', sa.JSON(), nullable=False),
    sa.Column('support_mode', sa.String(length=20), nullable=True),
    sa.Column('lone_elder_or_orphan', sa.Boolean(), nullable=False),
    sa.Column('disability_nature', sa.String(length=10), nullable=True),
    sa.Column('disability_grade', sa.Integer(), nullable=True),
    sa.Column('disability_cert_no', sa.String(length=60), nullable=True),
    sa.Column('disability_assessed_on', sa.Date(), nullable=True),
    sa.Column('martyr_cert_no', sa.String(length=60), nullable=True),
    sa.Column('martyr_sacrifice_date', sa.Date(), nullable=True),
    sa.Column('martyr_burial_place', sa.String(length=200), nullable=True),
    sa.Column('annual_confirmed_year', sa.Integer(), nullable=True),
    sa.Column('party_joined_on', sa.Date(), nullable=True),
    sa.Column('party_branch', sa.String(length=100), nullable=True),
    sa.Column('village_role', sa.String(length=20), nullable=True),
    sa.Column('role_post', sa.String(length=100), nullable=True),
    sa.Column('role_appointed_on', sa.Date(), nullable=True),
    sa.Column('role_term', sa.String(length=40), nullable=True),
    sa.Column('role_rating', sa.String(length=10), nullable=True),
    sa.Column('skills', sa.Text(), nullable=True),
    sa.Column('wishes', sa.Text(), nullable=True),
    sa.Column('hardship', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('last_contact_on', sa.Date(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index('ix_person_name', ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_station_code'), ['station_code'], unique=False)
        batch_op.create_index('uq_person_live_id_number', ['id_number'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'))

    op.create_table('station',
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('parent_code', sa.String(length=12), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('head_name', sa.String(length=50), nullable=True),
    sa.Column('star_level', sa.Integer(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station')),
    sa.UniqueConstraint('code', name=op.f('uq_station_code'))
    )
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_station_station_code'), ['station_code'], unique=False)

    op.create_table('station_assessment',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sheet', sa.String(length=40), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('self_score', sa.Integer(), nullable=True),
    sa.Column('county_score', sa.Integer(), nullable=True),
    sa.Column('star_level', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('reviewer', sa.String(length=50), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station_assessment'))
    )
    with op.batch_alter_table('station_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_station_assessment_station_code'), ['station_code'], unique=False)

    op.create_table('volunteer_team',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('leader', sa.String(length=50), nullable=True),
    sa.Column('founded_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_team'))
    )
    with op.batch_alter_table('volunteer_team', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_team_station_code'), ['station_code'], unique=False)

    op.create_table('write_context',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.String(length=36), nullable=True),
    sa.Column('origin', sa.String(length=12), nullable=True),
    sa.Column('applying', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_write_context'))
    )
    op.create_table('aid_application',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('aid_type', sa.String(length=40), nullable=False),
    sa.Column('fund', sa.String(length=40), nullable=True),
    sa.Column('hardship_kind', sa.String(length=40), nullable=True),
    sa.Column('hardship_state', sa.String(length=20), nullable=False),
    sa.Column('cause', sa.Text(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=True),
    sa.Column('helper', sa.String(length=100), nullable=True),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('requested_fen', sa.Integer(), nullable=False),
    sa.Column('approved_fen', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_aid_application_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aid_application'))
    )
    with op.batch_alter_table('aid_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_application_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_application_station_code'), ['station_code'], unique=False)

    op.create_table('dispute_case',
    sa.Column('person_id', sa.String(length=36), nullable=True),
    sa.Column('parties', sa.String(length=200), nullable=False),
    sa.Column('registrar', sa.String(length=50), nullable=False),
    sa.Column('channel', sa.String(length=40), nullable=False),
    sa.Column('case_type', sa.String(length=40), nullable=False),
    sa.Column('urgency', sa.String(length=10), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('repeat_petition', sa.Boolean(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('resolved_level', sa.String(length=10), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('satisfaction', sa.String(length=1), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_dispute_case_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute_case'))
    )
    with op.batch_alter_table('dispute_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispute_case_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispute_case_station_code'), ['station_code'], unique=False)

    op.create_table('family_member',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('relation', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('employment', sa.String(length=40), nullable=True),
    sa.Column('employer', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_family_member_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family_member'))
    )
    with op.batch_alter_table('family_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_member_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_family_member_station_code'), ['station_code'], unique=False)

    op.create_table('honour',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('award_unit', sa.String(length=200), nullable=True),
    sa.Column('award_type', sa.String(length=100), nullable=True),
    sa.Column('awarded_on', sa.Date(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('recipient', sa.String(length=100), nullable=True),
    sa.Column('deliverer', sa.String(length=100), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_honour_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_honour'))
    )
    with op.batch_alter_table('honour', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_honour_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_honour_station_code'), ['station_code'], unique=False)

    op.create_table('life_event',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('visit_due_on', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('closed_by_visit_id', sa.String(length=36), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_life_event_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_life_event'))
    )
    with op.batch_alter_table('life_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_life_event_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_life_event_station_code'), ['station_code'], unique=False)

    op.create_table('visit',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('visit_date', sa.Date(), nullable=False),
    sa.Column('visitor', sa.String(length=100), nullable=False),
    sa.Column('operator_id', sa.String(length=36), nullable=True),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('needs', sa.Text(), nullable=True),
    sa.Column('follow_up', sa.Text(), nullable=True),
    sa.Column('gifts', sa.String(length=200), nullable=True),
    sa.Column('money_fen', sa.Integer(), nullable=False),
    sa.Column('satisfaction', sa.String(length=1), nullable=True),
    sa.Column('life_event_id', sa.String(length=36), nullable=True),
    sa.Column('campaign_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_visit_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit'))
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index('ix_visit_date', ['visit_date'], unique=False)
        batch_op.create_index('ix_visit_person_date', ['person_id', 'visit_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_station_code'), ['station_code'], unique=False)

    op.create_table('volunteer_activity',
    sa.Column('team_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['volunteer_team.id'], name=op.f('fk_volunteer_activity_team_id_volunteer_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_activity'))
    )
    with op.batch_alter_table('volunteer_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_activity_station_code'), ['station_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_activity_team_id'), ['team_id'], unique=False)

    op.create_table('volunteer_member',
    sa.Column('team_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=True),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_volunteer_member_person_id_person')),
    sa.ForeignKeyConstraint(['team_id'], ['volunteer_team.id'], name=op.f('fk_volunteer_member_team_id_volunteer_team')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_member'))
    )
    with op.batch_alter_table('volunteer_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_member_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_member_station_code'), ['station_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_member_team_id'), ['team_id'], unique=False)

    op.create_table('aid_payment',
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('in_kind_fen', sa.Integer(), nullable=False),
    sa.Column('in_kind', sa.String(length=200), nullable=True),
    sa.Column('fund', sa.String(length=40), nullable=True),
    sa.Column('payer', sa.String(length=100), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['aid_application.id'], name=op.f('fk_aid_payment_application_id_aid_application')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_aid_payment_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aid_payment'))
    )
    with op.batch_alter_table('aid_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_payment_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_payment_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_payment_station_code'), ['station_code'], unique=False)

    op.create_table('aid_review',
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('reviewer', sa.String(length=50), nullable=False),
    sa.Column('reviewed_on', sa.Date(), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=True),
    sa.Column('amount_fen', sa.Integer(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['aid_application.id'], name=op.f('fk_aid_review_application_id_aid_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aid_review'))
    )
    with op.batch_alter_table('aid_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_review_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_review_station_code'), ['station_code'], unique=False)

    op.create_table('case_step',
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('step_on', sa.Date(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_level', sa.String(length=10), nullable=True),
    sa.Column('to_level', sa.String(length=10), nullable=True),
    sa.Column('handler', sa.String(length=50), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['dispute_case.id'], name=op.f('fk_case_step_case_id_dispute_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_step'))
    )
    with op.batch_alter_table('case_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_step_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_step_station_code'), ['station_code'], unique=False)

    op.create_table('volunteer_hours',
    sa.Column('activity_id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('station_code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.String(length=24), nullable=False),
    sa.Column('updated_at', sa.String(length=24), nullable=False),
    sa.Column('hlc', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('updated_by', sa.String(length=36), nullable=True),
    sa.Column('deleted_at', sa.String(length=24), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['volunteer_activity.id'], name=op.f('fk_volunteer_hours_activity_id_volunteer_activity')),
    sa.ForeignKeyConstraint(['member_id'], ['volunteer_member.id'], name=op.f('fk_volunteer_hours_member_id_volunteer_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_hours'))
    )
    with op.batch_alter_table('volunteer_hours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_hours_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_hours_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_hours_station_code'), ['station_code'], unique=False)

    conn = op.get_bind()
    install_guards(conn)
    install_triggers(conn, SYNCED_TABLES)


def downgrade() -> None:
    with op.batch_alter_table('volunteer_hours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_hours_station_code'))
        batch_op.drop_index(batch_op.f('ix_volunteer_hours_member_id'))
        batch_op.drop_index(batch_op.f('ix_volunteer_hours_activity_id'))

    op.drop_table('volunteer_hours')
    with op.batch_alter_table('case_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_step_station_code'))
        batch_op.drop_index(batch_op.f('ix_case_step_case_id'))

    op.drop_table('case_step')
    with op.batch_alter_table('aid_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aid_review_station_code'))
        batch_op.drop_index(batch_op.f('ix_aid_review_application_id'))

    op.drop_table('aid_review')
    with op.batch_alter_table('aid_payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aid_payment_station_code'))
        batch_op.drop_index(batch_op.f('ix_aid_payment_person_id'))
        batch_op.drop_index(batch_op.f('ix_aid_payment_application_id'))

    op.drop_table('aid_payment')
    with op.batch_alter_table('volunteer_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_member_team_id'))
        batch_op.drop_index(batch_op.f('ix_volunteer_member_station_code'))
        batch_op.drop_index(batch_op.f('ix_volunteer_member_person_id'))

    op.drop_table('volunteer_member')
    with op.batch_alter_table('volunteer_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_activity_team_id'))
        batch_op.drop_index(batch_op.f('ix_volunteer_activity_station_code'))

    op.drop_table('volunteer_activity')
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_station_code'))
        batch_op.drop_index('ix_visit_person_date')
        batch_op.drop_index('ix_visit_date')
        batch_op.drop_index(batch_op.f('ix_visit_campaign_id'))

    op.drop_table('visit')
    with op.batch_alter_table('life_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_life_event_station_code'))
        batch_op.drop_index(batch_op.f('ix_life_event_person_id'))

    op.drop_table('life_event')
    with op.batch_alter_table('honour', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_honour_station_code'))
        batch_op.drop_index(batch_op.f('ix_honour_person_id'))

    op.drop_table('honour')
    with op.batch_alter_table('family_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_member_station_code'))
        batch_op.drop_index(batch_op.f('ix_family_member_person_id'))

    op.drop_table('family_member')
    with op.batch_alter_table('dispute_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispute_case_station_code'))
        batch_op.drop_index(batch_op.f('ix_dispute_case_person_id'))

    op.drop_table('dispute_case')
    with op.batch_alter_table('aid_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aid_application_station_code'))
        batch_op.drop_index(batch_op.f('ix_aid_application_person_id'))

    op.drop_table('aid_application')
    op.drop_table('write_context')
    with op.batch_alter_table('volunteer_team', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_team_station_code'))

    op.drop_table('volunteer_team')
    with op.batch_alter_table('station_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_station_assessment_station_code'))

    op.drop_table('station_assessment')
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_station_station_code'))

    op.drop_table('station')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index('uq_person_live_id_number', sqlite_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_person_station_code'))
        batch_op.drop_index('ix_person_name')

    op.drop_table('person')
    with op.batch_alter_table('operator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operator_station_code'))

    op.drop_table('operator')
    op.drop_table('meta')
    op.drop_table('hlc_clock')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index('ix_change_log_row')

    op.drop_table('change_log')
    with op.batch_alter_table('catalogue_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_item_station_code'))
        batch_op.drop_index('ix_catalogue_item_kind_code')

    op.drop_table('catalogue_item')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_station_code'))

    op.drop_table('campaign')
    op.drop_table('audit_event')
