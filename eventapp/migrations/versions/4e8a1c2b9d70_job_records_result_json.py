"""job records: the result of a job (an import's report) as JSON

Revision ID: 4e8a1c2b9d70
Revises: e1f0a7c3b5d2
Create Date: 2026-12-01 12:00:00.000000

Hand-written. Jobs recorded before have no result.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '4e8a1c2b9d70'
down_revision = 'e1f0a7c3b5d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('result_json', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('job_records', schema=None) as batch_op:
        batch_op.drop_column('result_json')
