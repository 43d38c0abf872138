"""TPP third share measured by an agency score per month

Revision ID: 4bba09ed483a
Revises: 60b48917fcc8
Create Date: 2026-12-06 21:53:02.844572

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4bba09ed483a'
down_revision = '60b48917fcc8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tpp_rule_set', schema=None) as batch_op:
        batch_op.add_column(sa.Column('third_measure', sa.Enum('full', 'agency_score', name='thirdmeasure',
                                                               native_enum=False, length=12),
                                      server_default='full', nullable=False))
        batch_op.add_column(sa.Column('third_missing', sa.Integer(), server_default='0', nullable=False))

    op.create_table('tpp_agency_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('score >= 0 AND score <= 10000', name=op.f('ck_tpp_agency_score_score')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_tpp_agency_score_agency_id_agency'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'],
                            name=op.f('fk_tpp_agency_score_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tpp_agency_score')),
    sa.UniqueConstraint('agency_id', 'year', 'month', name=op.f('uq_tpp_agency_score_agency_id_year_month'))
    )


def downgrade():
    op.drop_table('tpp_agency_score')
    with op.batch_alter_table('tpp_rule_set', schema=None) as batch_op:
        batch_op.drop_column('third_missing')
        batch_op.drop_column('third_measure')
