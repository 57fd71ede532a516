"""check-in: points (a 受付 for every event), paired devices, entries; retired QR tokens

Revision ID: b7c1e2d3f4a5
Revises: f7cd3fe55603
Create Date: 2026-12-10 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c1e2d3f4a5'
down_revision = 'f7cd3fe55603'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('registration_retired_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_registration_retired_tokens_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_retired_tokens')),
    sa.UniqueConstraint('token', name=op.f('uq_registration_retired_tokens_token'))
    )
    with op.batch_alter_table('registration_retired_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_retired_tokens_registration_id'), ['registration_id'], unique=False)

    op.create_table('checkin_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name_ja', sa.String(length=60), nullable=False),
    sa.Column('name_en', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('allowed_categories', sa.String(length=200), nullable=False),
    sa.Column('party_only', sa.Boolean(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_checkin_points_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_points')),
    sa.UniqueConstraint('event_id', 'code', name=op.f('uq_checkin_points_event_id_code'))
    )
    with op.batch_alter_table('checkin_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_points_event_id'), ['event_id'], unique=False)

    op.create_table('checkin_devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_checkin_devices_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['point_id'], ['checkin_points.id'], name=op.f('fk_checkin_devices_point_id_checkin_points'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_devices')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_checkin_devices_token_hash'))
    )
    with op.batch_alter_table('checkin_devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_devices_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_devices_point_id'), ['point_id'], unique=False)

    op.create_table('checkin_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('direction', sa.String(length=20), nullable=False),
    sa.Column('scanned_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('request_digest', sa.String(length=64), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=True),
    sa.Column('first_in', sa.Boolean(), nullable=False),
    sa.Column('first_entry_id', sa.Integer(), nullable=True),
    sa.Column('queued', sa.Boolean(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['checkin_devices.id'], name=op.f('fk_checkin_entries_device_id_checkin_devices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_checkin_entries_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['first_entry_id'], ['checkin_entries.id'], name=op.f('fk_checkin_entries_first_entry_id_checkin_entries'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['point_id'], ['checkin_points.id'], name=op.f('fk_checkin_entries_point_id_checkin_points'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_checkin_entries_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_entries')),
    sa.UniqueConstraint('device_id', 'nonce', name=op.f('uq_checkin_entries_device_id'))
    )
    with op.batch_alter_table('checkin_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_entries_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_checkin_entries_person_point', ['registration_id', 'point_id', 'id'], unique=False)
        batch_op.create_index('ix_checkin_entries_point_result', ['point_id', 'result'], unique=False)
        batch_op.create_index('uq_checkin_entries_first_in', ['registration_id', 'point_id'], unique=True,
                              sqlite_where=sa.text('first_in'), postgresql_where=sa.text('first_in'))

    # Every event that exists has its 受付, as new events get one when they are created.
    # created_at in UTC, as the app writes it (a bare CURRENT_TIMESTAMP on PostgreSQL is the server's zone).
    now = "CURRENT_TIMESTAMP" if op.get_bind().dialect.name == "sqlite" else "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')"
    op.execute(f"""
        INSERT INTO checkin_points (event_id, code, name_ja, name_en, kind, allowed_categories, party_only,
                                    is_default, sort_order, created_at)
        SELECT events.id, 'reception', '受付', 'Reception', 'door', '', false, true, 0, {now} FROM events
        WHERE NOT EXISTS (SELECT 1 FROM checkin_points p WHERE p.event_id = events.id AND p.code = 'reception')
    """)


def downgrade():
    with op.batch_alter_table('checkin_entries', schema=None) as batch_op:
        batch_op.drop_index('uq_checkin_entries_first_in')
        batch_op.drop_index('ix_checkin_entries_point_result')
        batch_op.drop_index('ix_checkin_entries_person_point')
        batch_op.drop_index(batch_op.f('ix_checkin_entries_event_id'))
    op.drop_table('checkin_entries')
    with op.batch_alter_table('checkin_devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_devices_point_id'))
        batch_op.drop_index(batch_op.f('ix_checkin_devices_event_id'))
    op.drop_table('checkin_devices')
    with op.batch_alter_table('checkin_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_points_event_id'))
    op.drop_table('checkin_points')
    with op.batch_alter_table('registration_retired_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_retired_tokens_registration_id'))
    op.drop_table('registration_retired_tokens')
