"""each membership holds its member's name: an organization's lists sort without the accounts

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 12:55:00

Written by hand. org_memberships.member_name is the account's name, kept equal to it by
lms.orgs.models (an account renamed renames its memberships in the same transaction). A
course report's first page sorts the organization's learners by it, and reads the accounts
of the 50 learners it shows only.
"""
import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('org_memberships') as batch:
        batch.add_column(
            sa.Column('member_name', sa.String(length=200), nullable=False, server_default='')
        )
    op.execute(
        "UPDATE org_memberships SET member_name = "
        "(SELECT users.name FROM users WHERE users.id = org_memberships.user_id)"
    )


def downgrade():
    with op.batch_alter_table('org_memberships') as batch:
        batch.drop_column('member_name')
