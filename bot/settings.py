"""Settings from environment variables and an optional `.env` file."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything the bot can be configured with; see `.env.example`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    database_url: str = f"sqlite+aiosqlite:///{ROOT / 'var' / 'lotse.db'}"
    nlu_url: str = "http://127.0.0.1:5005"
    nlu_timeout_seconds: float = 1.0
    flows_dir: Path = ROOT / "flows"
    directory_dir: Path = ROOT / "directory"
    locales_dir: Path = ROOT / "locales"
    log_level: str = "INFO"
    log_pseudonym_key: SecretStr = SecretStr("change-me")
    booking_hold_minutes: int = 10
    booking_notice_hours: int = 24
    booking_horizon_days: int = 42
    telegram_bot_username: str | None = None
    public_base_url: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_from: str = "lotse@localhost"
    quiet_from: time = time(20, 0)
    quiet_until: time = time(8, 0)
    quiet_days: str = "sun"
    quiet_state: str = "NI"
    quiet_on_holidays: bool = True
    telegram_messages_per_second: float = 30.0
    telegram_chat_messages_per_second: float = 1.0
    follow_up_max_attempts: int = 5
    follow_up_retry_seconds: float = 30.0
    follow_up_poll_seconds: float = 60.0
    follow_up_claim_timeout_seconds: float = 60.0
    advisor_agenda_at: time = time(7, 30)
    data_keys: SecretStr = SecretStr("")
    controller: str = (
        "Landkreis Cloppenburg, Wirtschaftsförderung, Eschstraße 29, 49661 Cloppenburg"
    )
    data_protection_contact: str = "datenschutz@lkclp.example.org"
    retention_months: int = 12
    flood_messages_per_second: float = 1.0
    flood_burst: int = 5

    def data_key_list(self) -> list[str]:
        """Return the encryption keys, newest first."""
        return [k.strip() for k in self.data_keys.get_secret_value().split(",") if k.strip()]
