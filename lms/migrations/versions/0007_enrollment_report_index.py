"""a course's learners read from one index: the organization report at scale

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 09:15:00

Written by hand. The index on enrollments.course_id alone becomes (course_id, user_id), with
the state the report reads carried in the index on PostgreSQL (INCLUDE), so the report's
first page counts and sorts every learner of a course without visiting each enrolment row.
Queries by course alone use the new index's leading column.
"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_enrollments_course_learners',
        'enrollments',
        ['course_id', 'user_id'],
        postgresql_include=['active', 'progress_percent', 'completed_at', 'last_activity_at'],
    )
    op.drop_index('ix_enrollments_course_id', table_name='enrollments')


def downgrade():
    op.create_index('ix_enrollments_course_id', 'enrollments', ['course_id'])
    op.drop_index('ix_enrollments_course_learners', table_name='enrollments')
