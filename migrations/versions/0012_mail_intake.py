"""mail intake: emailed privacy requests as they arrived

Revision ID: 0012_mail_intake
Revises: 0011_profile
Create Date: 2026-11-25 19:50:00

"""
from alembic import op
import sqlalchemy as sa

import school.database


revision = "0012_mail_intake"
down_revision = '0011_profile'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('intake_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('dedupe_key', sa.String(length=80), nullable=False),
    sa.Column('message_id', sa.String(length=500), nullable=True),
    sa.Column('from_address', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('received_at', school.database.UTCDateTime(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.Enum('request', 'ignored', 'quarantined', name='intakeoutcome', native_enum=False, length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('dkim', sa.String(length=20), nullable=True),
    sa.Column('dmarc', sa.String(length=20), nullable=True),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('raw_path', sa.String(length=500), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['privacy_request.id'], name=op.f('fk_intake_message_request_id_privacy_request'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_message')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_intake_message_dedupe_key')),
    sa.UniqueConstraint('public_id', name=op.f('uq_intake_message_public_id'))
    )
    with op.batch_alter_table('intake_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_intake_message_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_intake_message_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_intake_message_request_id'), ['request_id'], unique=False)


def downgrade():
    with op.batch_alter_table('intake_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_intake_message_request_id'))
        batch_op.drop_index(batch_op.f('ix_intake_message_received_at'))
        batch_op.drop_index(batch_op.f('ix_intake_message_outcome'))

    op.drop_table('intake_message')
