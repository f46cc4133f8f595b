"""the keys certificates' Open Badges credentials are signed with

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 05:40:00

Written by hand: one new table. Keys live in the database so every server signs with the
same key and publishes the same set (GET /api/v1/issuer).
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'signing_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kid', sa.String(length=64), nullable=False),
        sa.Column('private_jwk', sa.Text(), nullable=False),
        sa.Column('public_jwk', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('retired_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_keys')),
        sa.UniqueConstraint('kid', name=op.f('uq_signing_keys_kid')),
    )


def downgrade():
    op.drop_table('signing_keys')
