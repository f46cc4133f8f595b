"""organizations, their members and the due dates of their courses

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 02:50:00

Written by hand: three new tables, nothing changed in the existing ones (the due date lives
in org_course_assignments, not on enrollments). Constraint names follow the naming
convention in lms/extensions.py, so SQLite and PostgreSQL get the same names.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'organizations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
        sa.UniqueConstraint('name', name=op.f('uq_organizations_name')),
    )
    op.create_table(
        'org_memberships',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('unit', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['org_id'], ['organizations.id'],
            name=op.f('fk_org_memberships_org_id_organizations'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_org_memberships_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_org_memberships')),
        sa.UniqueConstraint('org_id', 'user_id', name=op.f('uq_org_memberships_org_id_user_id')),
    )
    with op.batch_alter_table('org_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_memberships_user_id'), ['user_id'], unique=False)

    op.create_table(
        'org_course_assignments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.String(length=64), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['course_id'], ['courses.id'],
            name=op.f('fk_org_course_assignments_course_id_courses'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['org_id'], ['organizations.id'],
            name=op.f('fk_org_course_assignments_org_id_organizations'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_org_course_assignments_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_org_course_assignments')),
        sa.UniqueConstraint(
            'org_id', 'user_id', 'course_id',
            name=op.f('uq_org_course_assignments_org_id_user_id_course_id'),
        ),
    )
    with op.batch_alter_table('org_course_assignments', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_org_course_assignments_user_id'), ['user_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('org_course_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_course_assignments_user_id'))
    op.drop_table('org_course_assignments')
    with op.batch_alter_table('org_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_memberships_user_id'))
    op.drop_table('org_memberships')
    op.drop_table('organizations')
