"""Store conversation slots as (encrypted) text

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 05:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.alter_column("slots", type_=sa.Text(), existing_type=sa.JSON(),
                              existing_nullable=False, postgresql_using="slots::text")


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.alter_column("slots", type_=sa.JSON(), existing_type=sa.Text(),
                              existing_nullable=False, postgresql_using="slots::json")
