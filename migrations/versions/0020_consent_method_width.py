"""consent_record.method wide enough for the composed methods it receives

SQLite ignored the old limit of 40 characters; PostgreSQL refused "web signup form
(separate, unticked option)" and "privacy request <id> (<channel>)".

Revision ID: 0020_consent_method_width
Revises: 0016_request_due_by
Create Date: 2026-12-01 14:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_consent_method_width'
down_revision = '0016_request_due_by'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.alter_column(
            'method', existing_type=sa.String(length=40), type_=sa.String(length=200),
            existing_nullable=False,
        )


def downgrade():
    # The narrower column cannot hold the longer methods: they are cut to fit.
    op.execute("UPDATE consent_record SET method = substr(method, 1, 40) WHERE length(method) > 40")
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.alter_column(
            'method', existing_type=sa.String(length=200), type_=sa.String(length=40),
            existing_nullable=False,
        )
