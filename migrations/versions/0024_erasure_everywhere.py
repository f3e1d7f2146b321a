"""erasure everywhere: pending address changes held server-side, open_key as a fingerprint

Revision ID: 0024_erasure_everywhere
Revises: 0022_content_version
Create Date: 2026-12-01 15:50:00

"""
import hashlib
import hmac

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = '0024_erasure_everywhere'
down_revision = '0022_content_version'
branch_labels = None
depends_on = None


def _fingerprint(value: str) -> str:
    # The same keyed hash as school.privacy.data.personal_data.fingerprint, frozen here so
    # the migration keeps working whatever that module becomes.
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, value.strip().lower().encode(), hashlib.sha256).hexdigest()
    return f"fp:{digest[:40]}"


def upgrade():
    op.create_table(
        'email_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('new_email', sa.String(length=254), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('public_id'),
    )
    with op.batch_alter_table('email_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_change_user_id'), ['user_id'], unique=False)

    # An open request's lookup key held the address in plain text: now a keyed fingerprint.
    connection = op.get_bind()
    requests = sa.table(
        'privacy_request', sa.column('id', sa.Integer), sa.column('open_key', sa.String)
    )
    for row in connection.execute(
        sa.select(requests.c.id, requests.c.open_key).where(requests.c.open_key.is_not(None))
    ).all():
        if not row.open_key.startswith('fp:'):
            connection.execute(
                requests.update()
                .where(requests.c.id == row.id)
                .values(open_key=_fingerprint(row.open_key))
            )


def downgrade():
    # The fingerprints cannot be turned back into addresses; open requests keep them.
    with op.batch_alter_table('email_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_change_user_id'))
    op.drop_table('email_change')
