"""Employee bank account for the TPP payroll

Revision ID: 60b48917fcc8
Revises: 553f74aace2d
Create Date: 2026-12-08 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '60b48917fcc8'
down_revision = '553f74aace2d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('employee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_name', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('bank_account', sa.String(length=34), nullable=True))


def downgrade():
    with op.batch_alter_table('employee', schema=None) as batch_op:
        batch_op.drop_column('bank_account')
        batch_op.drop_column('bank_name')
