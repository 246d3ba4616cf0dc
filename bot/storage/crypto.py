"""Encryption at rest for personal fields: Fernet with keys from the environment.

`DATA_KEYS` holds one or more Fernet keys, newest first. The first encrypts; all decrypt,
so a key can be rotated: put the new key first, run `python -m bot admin rotate-keys`,
then drop the old key. Values written without a key stay readable after one is set.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Dialect, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

PREFIX = "enc1:"


class Vault:
    """Encrypts and decrypts field values with the configured keys."""

    def __init__(self) -> None:
        self._cipher: MultiFernet | None = None

    def configure(self, keys: list[str]) -> None:
        """Use these keys (newest first); an empty list stores plain text."""
        self._cipher = MultiFernet([Fernet(key) for key in keys]) if keys else None
        if not keys:
            log.warning("DATA_KEYS is not set: personal data is stored unencrypted")

    @property
    def enabled(self) -> bool:
        """Return whether new values are encrypted."""
        return self._cipher is not None

    def seal(self, plain: str) -> str:
        """Encrypt a value, if a key is configured."""
        if self._cipher is None:
            return plain
        return PREFIX + self._cipher.encrypt(plain.encode()).decode()

    def open(self, stored: str) -> str:
        """Decrypt a stored value; plain text written without a key is returned as it is."""
        if not stored.startswith(PREFIX):
            return stored
        if self._cipher is None:
            raise RuntimeError("encrypted data found, but DATA_KEYS is not set")
        try:
            return self._cipher.decrypt(stored.removeprefix(PREFIX).encode()).decode()
        except InvalidToken as error:
            raise RuntimeError("encrypted data cannot be read with DATA_KEYS") from error

    def rotate(self, stored: str) -> str:
        """Re-encrypt a stored value with the newest key."""
        return self.seal(self.open(stored))


vault = Vault()


class EncryptedText(TypeDecorator[str]):
    """A text column whose values are encrypted at rest."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        """Encrypt on the way in."""
        return None if value is None else vault.seal(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        """Decrypt on the way out."""
        return None if value is None else vault.open(value)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON value stored as encrypted text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        """Serialize, then encrypt."""
        return None if value is None else vault.seal(json.dumps(value, ensure_ascii=False))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        """Decrypt, then parse."""
        return None if value is None else json.loads(vault.open(value))


async def reencrypt(session: AsyncSession) -> int:
    """Write every encrypted field again, so it is sealed with the newest key."""
    from bot.storage.models import Base

    fields = 0
    for mapper in Base.registry.mappers:
        names = [column.key for column in mapper.columns
                 if isinstance(column.type, EncryptedText | EncryptedJSON)]
        if not names:
            continue
        for row in await session.scalars(select(mapper.class_)):
            for name in names:
                flag_modified(row, name)
                fields += 1
    return fields
