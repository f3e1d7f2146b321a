"""course pictures: an image per course and a photo of its teacher, as stored file names

Revision ID: 0019_course_pictures
Revises: 0017_sign_in_sessions
Create Date: 2026-12-01 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_course_pictures'
down_revision = '0017_sign_in_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('image_file', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('teacher_photo_file', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('teacher_photo_file')
        batch_op.drop_column('image_file')
