"""Reference stamp: every process may keep BKD's settings, holiday entries, output units and month locks while it is unchanged

Revision ID: 49b8adfbbe6d
Revises: 6e790691e040
Create Date: 2026-12-07 05:30:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '49b8adfbbe6d'
down_revision = '6e790691e040'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'reference_stamp',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('stamp', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_stamp')),
    )
    op.bulk_insert(table, [{'id': 1, 'stamp': secrets.token_hex(16)}])


def downgrade():
    op.drop_table('reference_stamp')
