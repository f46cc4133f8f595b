"""rate-limit counters in the database: one budget for every worker and server

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 13:15:00

Written by hand. Flask-Limiter's counters for the login, token and registration limits
(lms.ratelimits.DatabaseStorage): one row per limit, client and window in progress.
"""
import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_limit_counters',
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counters')),
    )


def downgrade():
    op.drop_table('rate_limit_counters')
