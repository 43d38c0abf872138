"""Attendance machines pushing punches over the ADMS iclock protocol: the machines, the PINs employees are
enrolled under at an agency, the log of what machines sent, the commands queued for them, and the machine a
check-in was punched on

Revision ID: 329c792d71a9
Revises: ccdce62b82b6
Create Date: 2026-12-06 22:07:14.623118

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '329c792d71a9'
down_revision = 'ccdce62b82b6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attendance_device_pin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('pin', sa.String(length=20), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_attendance_device_pin_agency_id_agency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_attendance_device_pin_employee_id_employee'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_device_pin')),
    sa.UniqueConstraint('agency_id', 'employee_id', name=op.f('uq_attendance_device_pin_agency_id_employee_id')),
    sa.UniqueConstraint('agency_id', 'pin', name=op.f('uq_attendance_device_pin_agency_id_pin'))
    )
    with op.batch_alter_table('attendance_device_pin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_device_pin_employee_id'), ['employee_id'], unique=False)

    op.create_table('attendance_device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('serial_number', sa.String(length=40), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('timezone', sa.String(length=40), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.Column('last_contact_at', sa.DateTime(), nullable=True),
    sa.Column('last_address', sa.String(length=45), nullable=True),
    sa.Column('push_version', sa.String(length=40), nullable=True),
    sa.Column('attlog_stamp', sa.String(length=20), nullable=False),
    sa.Column('operlog_stamp', sa.String(length=20), nullable=False),
    sa.Column('clock_drift_seconds', sa.Integer(), nullable=True),
    sa.Column('drift_measured_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_attendance_device_agency_id_agency'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_attendance_device_office_id_office'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registered_by_id'], ['user_account.id'], name=op.f('fk_attendance_device_registered_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_device')),
    sa.UniqueConstraint('serial_number', name=op.f('uq_attendance_device_serial_number'))
    )
    with op.batch_alter_table('attendance_device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_device_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_device_office_id'), ['office_id'], unique=False)

    op.create_table('attendance_device_command',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('command', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('return_code', sa.Integer(), nullable=True),
    sa.Column('result_at', sa.DateTime(), nullable=True),
    sa.Column('result', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_attendance_device_command_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['device_id'], ['attendance_device.id'], name=op.f('fk_attendance_device_command_device_id_attendance_device'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_device_command'))
    )
    with op.batch_alter_table('attendance_device_command', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_device_command_device_sent', ['device_id', 'sent_at'], unique=False)

    op.create_table('attendance_device_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('serial_number', sa.String(length=40), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('table', sa.String(length=12), nullable=False),
    sa.Column('raw', sa.String(length=255), nullable=False),
    sa.Column('pin', sa.String(length=20), nullable=True),
    sa.Column('punched_at', sa.DateTime(), nullable=True),
    sa.Column('employee_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('recorded', 'duplicate', 'unknown_pin', 'malformed', 'refused', name='punchstatus', native_enum=False, length=12), nullable=False),
    sa.Column('reason', sa.String(length=255), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_attendance_device_log_agency_id_agency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['device_id'], ['attendance_device.id'], name=op.f('fk_attendance_device_log_device_id_attendance_device'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_attendance_device_log_employee_id_employee'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_device_log'))
    )
    with op.batch_alter_table('attendance_device_log', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_device_log_agency_received', ['agency_id', 'received_at'], unique=False)
        batch_op.create_index('ix_attendance_device_log_device_received', ['device_id', 'received_at'], unique=False)
        batch_op.create_index('ix_attendance_device_log_employee_day', ['employee_id', 'day'], unique=False)
        batch_op.create_index('ix_attendance_device_log_punch', ['device_id', 'pin', 'punched_at'], unique=False)
        batch_op.create_index('ix_attendance_device_log_received', ['received_at'], unique=False)

    with op.batch_alter_table('attendance_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('machine_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_attendance_record_machine_id'), ['machine_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_attendance_record_machine_id_attendance_device'), 'attendance_device', ['machine_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('attendance_record', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attendance_record_machine_id_attendance_device'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_attendance_record_machine_id'))
        batch_op.drop_column('machine_id')

    with op.batch_alter_table('attendance_device_log', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_device_log_received')
        batch_op.drop_index('ix_attendance_device_log_punch')
        batch_op.drop_index('ix_attendance_device_log_employee_day')
        batch_op.drop_index('ix_attendance_device_log_device_received')
        batch_op.drop_index('ix_attendance_device_log_agency_received')

    op.drop_table('attendance_device_log')
    with op.batch_alter_table('attendance_device_command', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_device_command_device_sent')

    op.drop_table('attendance_device_command')
    with op.batch_alter_table('attendance_device', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_device_office_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_device_agency_id'))

    op.drop_table('attendance_device')
    with op.batch_alter_table('attendance_device_pin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_device_pin_employee_id'))

    op.drop_table('attendance_device_pin')
