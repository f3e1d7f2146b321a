"""address requests: the staff access log records looks at someone without an account

Revision ID: 0026_address_requests
Revises: 0025_retention_runs
Create Date: 2026-12-01 18:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026_address_requests'
down_revision = '0025_retention_runs'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_access', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_email', sa.String(length=254), nullable=True))
        batch_op.alter_column('subject_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(
            batch_op.f('ix_staff_access_subject_email'), ['subject_email'], unique=False
        )


def downgrade():
    # Looks at an address alone have no account to hang on: they go with the column.
    op.execute(sa.text('DELETE FROM staff_access WHERE subject_id IS NULL'))
    with op.batch_alter_table('staff_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_access_subject_email'))
        batch_op.alter_column('subject_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('subject_email')
