"""Messages: a person's number is verified with a one-time code before reminders go to it

Revision ID: 6e790691e040
Revises: 5aade3a01f0e
Create Date: 2026-12-07 01:42:14.622975

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6e790691e040'
down_revision = '5aade3a01f0e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('message_contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('code_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('code_expires_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('code_attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('code_sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('codes_sent', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('codes_day', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('message_contact', schema=None) as batch_op:
        batch_op.drop_column('codes_day')
        batch_op.drop_column('codes_sent')
        batch_op.drop_column('code_sent_at')
        batch_op.drop_column('code_attempts')
        batch_op.drop_column('code_expires_at')
        batch_op.drop_column('code_hash')
        batch_op.drop_column('verified_at')
