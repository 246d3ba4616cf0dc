"""Keep advisors' e-mails until the SMTP server has accepted them

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_mails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_mails")),
    )
    op.create_index(op.f("ix_pending_mails_due_at"), "pending_mails", ["due_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_pending_mails_due_at"), table_name="pending_mails")
    op.drop_table("pending_mails")
