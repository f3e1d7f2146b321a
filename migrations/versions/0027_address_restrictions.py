"""address restrictions: a newsletter subscriber without an account can block the newsletter

Revision ID: 0027_address_restrictions
Revises: 0026_address_requests
Create Date: 2026-12-01 19:00:00

"""
import sqlalchemy as sa
from alembic import op

import school.database

# revision identifiers, used by Alembic.
revision = '0027_address_restrictions'
down_revision = '0026_address_requests'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('newsletter_subscriber', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restricted_at', school.database.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('newsletter_subscriber', schema=None) as batch_op:
        batch_op.drop_column('restricted_at')
