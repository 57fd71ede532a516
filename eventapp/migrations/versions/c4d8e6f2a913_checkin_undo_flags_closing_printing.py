"""check-in: undo, flags an organiser resolves, closing a point, printing badges on arrival

Revision ID: c4d8e6f2a913
Revises: b3e9d2a41c67
Create Date: 2027-01-20 10:00:00.000000

Hand-written. Every event's 受付 prints on arrival (only the badges never printed before, and walk-ins'):
the door then needs no pre-printed stack. Other points do not unless an organiser says so.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4d8e6f2a913'
down_revision = 'b3e9d2a41c67'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checkin_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prints_badges', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE checkin_points SET prints_badges = TRUE WHERE is_default")
    with op.batch_alter_table('checkin_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flag_resolved_by', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('flag_resolved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('undone_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_checkin_entries_event_flagged', ['event_id', 'flagged'])


def downgrade():
    with op.batch_alter_table('checkin_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_checkin_entries_event_flagged')
        batch_op.drop_column('undone_at')
        batch_op.drop_column('flag_resolved_at')
        batch_op.drop_column('flag_resolved_by')
    with op.batch_alter_table('checkin_points', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
        batch_op.drop_column('prints_badges')
