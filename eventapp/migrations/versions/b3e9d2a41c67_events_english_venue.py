"""events: the venue's name, address and access in English

Revision ID: b3e9d2a41c67
Revises: b7c1e2d3f4a5
Create Date: 2027-01-10 10:00:00.000000

Hand-written. Empty for the events there are: English pages then show the Japanese, marked lang="ja".
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b3e9d2a41c67'
down_revision = 'b7c1e2d3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('venue_name_en', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('venue_address_en', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('venue_access_en', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('venue_access_en')
        batch_op.drop_column('venue_address_en')
        batch_op.drop_column('venue_name_en')
