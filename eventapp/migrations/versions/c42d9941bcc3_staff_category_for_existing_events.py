"""staff category for existing events

Revision ID: c42d9941bcc3
Revises: 3cf38ef0910c
Create Date: 2026-11-24 11:03:53.506744

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c42d9941bcc3'
down_revision = '3cf38ef0910c'
branch_labels = None
depends_on = None


def upgrade():
    # Every event offers the (non-public) スタッフ category, so helpers can be registered and get badges.
    op.execute("""
        INSERT INTO event_categories (event_id, code, label_ja, label_en, capacity, sort_order, is_open)
        SELECT events.id, 'staff', 'スタッフ', 'Staff', NULL, 6, false FROM events
        WHERE NOT EXISTS (SELECT 1 FROM event_categories c WHERE c.event_id = events.id AND c.code = 'staff')
    """)


def downgrade():
    op.execute("""
        DELETE FROM event_categories WHERE code = 'staff'
        AND NOT EXISTS (SELECT 1 FROM registrations r WHERE r.category_id = event_categories.id)
    """)
