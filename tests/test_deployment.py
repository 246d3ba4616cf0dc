"""The deployment files: docker compose and the Dockerfile, checked without a Docker engine."""

from __future__ import annotations

import re

import yaml

from bot.settings import Settings
from tests.conftest import ROOT


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_three_services_with_the_right_images() -> None:
    services = compose()["services"]
    assert set(services) == {"bot", "nlu", "postgres"}
    assert services["bot"]["build"] == "."
    assert services["nlu"]["image"] == "rasa/rasa:3.6.21"
    assert services["postgres"]["image"].startswith("postgres:")


def test_bot_reaches_postgres_and_nlu_by_service_name() -> None:
    bot = compose()["services"]["bot"]
    environment = bot["environment"]
    assert environment["DATABASE_URL"].startswith("postgresql+asyncpg://lotse:")
    assert "@postgres:5432/lotse" in environment["DATABASE_URL"]
    assert environment["NLU_URL"] == "http://nlu:5005"
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_nlu_trains_when_it_has_no_model_and_serves_the_api() -> None:
    nlu = compose()["services"]["nlu"]
    command = " ".join(nlu["command"])
    assert "rasa train nlu" in command and "rasa run --enable-api" in command
    assert any(volume.endswith(":/app/models") for volume in nlu["volumes"])


def test_data_lives_in_named_volumes() -> None:
    data = compose()
    assert "postgres-data:/var/lib/postgresql/data" in data["services"]["postgres"]["volumes"]
    assert {"postgres-data", "nlu-models"} <= set(data["volumes"])


def test_every_setting_is_documented_in_env_example() -> None:
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(),
                                re.MULTILINE))
    fields = {name.upper() for name in Settings.model_fields}
    internal = {"FLOWS_DIR", "DIRECTORY_DIR", "LOCALES_DIR"}
    assert fields - internal <= documented, fields - internal - documented


def test_dockerfile_copies_what_the_bot_reads_at_start() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for folder in ("bot", "flows", "directory", "locales"):
        assert f"COPY {folder} ./{folder}" in dockerfile
    assert 'CMD ["python", "-m", "bot", "run"]' in dockerfile
