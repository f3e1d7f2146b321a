"""privacy queue version: one row the database bumps with every change to what the staff queue lists

Revision ID: 0028_privacy_queue_version
Revises: 0027_address_restrictions
Create Date: 2026-12-02 01:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028_privacy_queue_version'
down_revision = '0027_address_restrictions'
branch_labels = None
depends_on = None

SHOWN = "public_id, type, status, channel, user_id, due_by"
BUMP = "UPDATE privacy_queue_version SET version = version + 1 WHERE id = 1"


def upgrade():
    table = op.create_table(
        'privacy_queue_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_queue_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'version': 0}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION privacy_queue_changed() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER privacy_queue_changed AFTER INSERT OR DELETE OR "
            f"UPDATE OF {SHOWN} ON privacy_request "
            "FOR EACH ROW EXECUTE FUNCTION privacy_queue_changed()"
        )
    else:
        for when in ("INSERT", "DELETE", f"UPDATE OF {SHOWN}"):
            name = f"privacy_queue_{when.split()[0].lower()}"
            op.execute(f"CREATE TRIGGER {name} AFTER {when} ON privacy_request BEGIN {BUMP}; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER privacy_queue_changed ON privacy_request")
        op.execute("DROP FUNCTION privacy_queue_changed()")
    else:
        for when in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER privacy_queue_{when}")
    op.drop_table('privacy_queue_version')
