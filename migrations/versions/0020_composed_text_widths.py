"""columns wide enough for the composed text they receive

SQLite ignored the old limits; PostgreSQL refused them: consent_record.method (40) got "web
signup form (separate, unticked option)" and "privacy request <id> (<channel>)", and
outbox_message.subject (300) a campaign's subject of 300 characters after "[Test] ".

Revision ID: 0020_composed_text_widths
Revises: 0019_course_pictures
Create Date: 2026-12-01 14:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_composed_text_widths'
down_revision = '0019_course_pictures'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.alter_column(
            'method', existing_type=sa.String(length=40), type_=sa.String(length=200),
            existing_nullable=False,
        )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column(
            'subject', existing_type=sa.String(length=300), type_=sa.String(length=400),
            existing_nullable=False,
        )


def downgrade():
    # The narrower columns cannot hold the longer values: they are cut to fit.
    op.execute("UPDATE outbox_message SET subject = substr(subject, 1, 300) WHERE length(subject) > 300")
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column(
            'subject', existing_type=sa.String(length=400), type_=sa.String(length=300),
            existing_nullable=False,
        )
    op.execute("UPDATE consent_record SET method = substr(method, 1, 40) WHERE length(method) > 40")
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.alter_column(
            'method', existing_type=sa.String(length=200), type_=sa.String(length=40),
            existing_nullable=False,
        )
