"""privacy queue sorted by an index: the deadline in force as a column of its own

Revision ID: 0016_request_due_by
Revises: 0015_guardian_consent
Create Date: 2026-11-25 20:31:40.867408

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_request_due_by'
down_revision = '0015_guardian_consent'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('privacy_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_by', sa.Date(), nullable=True))
    # Existing requests: the extension if any, else the due date, else "no deadline yet".
    op.execute(
        "UPDATE privacy_request SET due_by = COALESCE(extended_due_on, due_on, '9999-12-31')"
    )
    with op.batch_alter_table('privacy_request', schema=None) as batch_op:
        batch_op.alter_column('due_by', existing_type=sa.Date(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_privacy_request_queue'))
        batch_op.create_index('ix_privacy_request_queue', ['status', 'due_by', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('privacy_request', schema=None) as batch_op:
        batch_op.drop_index('ix_privacy_request_queue')
        batch_op.create_index(batch_op.f('ix_privacy_request_queue'), ['status', 'due_on'], unique=False)
        batch_op.drop_column('due_by')
