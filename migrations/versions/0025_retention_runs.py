"""retention runs: when retention last ran and what each rule removed

Revision ID: 0025_retention_runs
Revises: 0024_erasure_everywhere
Create Date: 2026-12-01 18:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025_retention_runs'
down_revision = '0024_erasure_everywhere'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'retention_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ran_at', sa.DateTime(), nullable=False),
        sa.Column('removed', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('retention_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retention_run_ran_at'), ['ran_at'], unique=False)


def downgrade():
    with op.batch_alter_table('retention_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retention_run_ran_at'))
    op.drop_table('retention_run')
