"""guardian consent: a parent or guardian consents for a person under MINOR_AGE

Revision ID: 0015_guardian_consent
Revises: 0013_newsletters
Create Date: 2026-11-25 20:00:00

"""
from alembic import op
import sqlalchemy as sa

import school.database


revision = "0015_guardian_consent"
down_revision = "0013_newsletters"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guardian_name", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("guardian_email", sa.String(length=254), nullable=True))
        batch_op.add_column(
            sa.Column("guardian_consent_at", school.database.UTCDateTime(), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("guardian_consent_at")
        batch_op.drop_column("guardian_email")
        batch_op.drop_column("guardian_name")
