"""outbox: messages are queued as intents and rendered by the worker (content_pending, locale)

Revision ID: e1f0a7c3b5d2
Revises: 7d2e4b91a0f3
Create Date: 2026-12-01 12:00:00.000000

attachments_pending becomes content_pending: a message still waiting for its ticket is rendered again,
whole, by the worker.
"""
import sqlalchemy as sa
from alembic import op

revision = 'e1f0a7c3b5d2'
down_revision = '7d2e4b91a0f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('attachments_pending', new_column_name='content_pending',
                              existing_type=sa.Boolean(), existing_nullable=False)
        batch_op.add_column(sa.Column('locale', sa.String(length=5), nullable=False, server_default='ja'))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('locale')
        batch_op.alter_column('content_pending', new_column_name='attachments_pending',
                              existing_type=sa.Boolean(), existing_nullable=False)
