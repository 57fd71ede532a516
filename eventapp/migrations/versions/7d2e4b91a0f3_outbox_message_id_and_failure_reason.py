"""outbox: a stable Message-ID per message, and the reason of the last failure

Revision ID: 7d2e4b91a0f3
Revises: c42d9941bcc3
Create Date: 2026-12-01 10:00:00.000000

Hand-written. Messages already in the outbox get a Message-ID of their own here, so a retry of one of
them carries the same id as every later attempt.
"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7d2e4b91a0f3'
down_revision = 'c42d9941bcc3'
branch_labels = None
depends_on = None

MESSAGE_ID_DOMAIN = "eventapp.local"  # as eventapp.mail.models, copied: a migration must not change later


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failure_reason', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('message_id_header', sa.String(length=200), nullable=True))

    outbox = sa.table('outbox_messages', sa.column('id', sa.Integer()), sa.column('message_id_header', sa.String()))
    connection = op.get_bind()
    ids = connection.execute(sa.select(outbox.c.id).where(outbox.c.message_id_header.is_(None))).scalars().all()
    for message_id in ids:
        connection.execute(outbox.update().where(outbox.c.id == message_id).values(
            message_id_header=f"<{uuid.uuid4().hex}@{MESSAGE_ID_DOMAIN}>"))

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('message_id_header', existing_type=sa.String(length=200), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_messages_message_id_header'), ['message_id_header'])


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_outbox_messages_message_id_header'), type_='unique')
        batch_op.drop_column('message_id_header')
        batch_op.drop_column('failure_reason')
