"""The Bot API specification: parameter coercion for requests, validation for responses."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import bad_request

DEFAULT_SPEC = (
    Path(__file__).resolve().parents[2].parent / "shared" / "telegram-bot-api" / "api.json"
)
PRIMITIVES = {"Integer", "String", "Boolean", "Float", "InputFile"}
_CONSTANT = re.compile(r'(?:must be|always) "?([a-z_]+)"?\s*$')
_BOOLEANS = {"true": True, "True": True, "1": True, "false": False, "False": False, "0": False}


@dataclass(frozen=True)
class Upload:
    """A file posted as a multipart part."""

    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Field:
    """One field of a type or one parameter of a method."""

    name: str
    types: tuple[str, ...]
    required: bool
    constant: str | None


@dataclass(frozen=True)
class Method:
    """One Bot API method."""

    name: str
    fields: dict[str, Field]
    returns: tuple[str, ...]


def _fields(raw: list[dict[str, Any]]) -> dict[str, Field]:
    fields = {}
    for f in raw:
        match = (
            _CONSTANT.search(f["description"])
            if f["name"] in {"type", "status", "source"}
            else None
        )
        fields[f["name"]] = Field(
            f["name"], tuple(f["types"]), f["required"], match.group(1) if match else None
        )
    return fields


class Spec:
    """The methods and types of one Bot API version."""

    def __init__(self, path: Path | None = None):
        path = path or Path(os.environ.get("TELEGRAM_API_SPEC", DEFAULT_SPEC))
        raw = json.loads(path.read_text(encoding="utf-8"))
        self.version: str = raw["version"]
        self.methods = {
            name: Method(name, _fields(m.get("fields", [])), tuple(m["returns"]))
            for name, m in raw["methods"].items()
        }
        self.types = {name: _fields(t.get("fields", [])) for name, t in raw["types"].items()}
        self.subtypes = {
            name: tuple(t["subtypes"]) for name, t in raw["types"].items() if "subtypes" in t
        }
        self._lower = {name.lower(): name for name in self.methods}

    def method(self, name: str) -> Method | None:
        """Return the method, matched case-insensitively as Telegram does."""
        real = self._lower.get(name.lower())
        return self.methods[real] if real else None

    def coerce_params(
        self, method: Method, raw: dict[str, Any], uploads: dict[str, Upload]
    ) -> dict[str, Any]:
        """Check the parameters against the method, decode form values; raise a 400 if wrong."""
        params: dict[str, Any] = {}
        for name, field in method.fields.items():
            value = uploads.get(name, raw.get(name))
            if value is None or value == "":
                if field.required:
                    raise bad_request(f'parameter "{name}" is required')
                continue
            if isinstance(value, str) and value.startswith("attach://"):
                value = uploads.get(value.removeprefix("attach://"), value)
            coerced = self._coerce_any(value, field.types)
            if coerced is _INVALID:
                raise bad_request(f'parameter "{name}" must be {" or ".join(field.types)}')
            params[name] = coerced
        return params

    def _coerce_any(self, value: Any, types: tuple[str, ...]) -> Any:
        for type_ in types:
            coerced = self._coerce(value, type_)
            if coerced is not _INVALID:
                return coerced
        return _INVALID

    def _coerce(self, value: Any, type_: str) -> Any:
        if type_ == "InputFile":
            return value if isinstance(value, Upload) else _INVALID
        if isinstance(value, Upload):
            return _INVALID
        if type_ in PRIMITIVES:
            return _coerce_primitive(value, type_)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return _INVALID
        return value if not self.violations(value, (type_,), "", strict=False) else _INVALID

    def violations(
        self, value: Any, types: tuple[str, ...], path: str, strict: bool = True
    ) -> list[str]:
        """List how value breaks every one of types (empty if it fits one of them)."""
        best: list[str] | None = None
        for type_ in types:
            found = self._violations(value, type_, path, strict)
            if not found:
                return []
            if best is None or len(found) < len(best):
                best = found
        return best or []

    def _violations(self, value: Any, type_: str, path: str, strict: bool) -> list[str]:
        if type_.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{path or 'value'}: expected {type_}, got {type(value).__name__}"]
            item = type_.removeprefix("Array of ")
            return [
                v
                for i, x in enumerate(value)
                for v in self._violations(x, item, f"{path}[{i}]", strict)
            ]
        if type_ in PRIMITIVES:
            ok = (
                _coerce_primitive(value, type_) is not _INVALID
                if not strict
                else _is_primitive(value, type_)
            )
            return [] if ok else [f"{path or 'value'}: expected {type_}, got {value!r:.60}"]
        if type_ in self.subtypes:
            return self.violations(value, self.subtypes[type_], path, strict)
        return self._object_violations(value, type_, path, strict)

    def _object_violations(self, value: Any, type_: str, path: str, strict: bool) -> list[str]:
        if not isinstance(value, dict):
            return [f"{path or 'value'}: expected {type_} object, got {value!r:.60}"]
        fields = self.types[type_]
        found = []
        if strict:
            found += [f"{path}.{k}: field not in {type_}" for k in value if k not in fields]
        for name, field in fields.items():
            where = f"{path}.{name}"
            if name not in value:
                if field.required:
                    found.append(f"{where}: required field of {type_} missing")
                continue
            if field.constant is not None and value[name] != field.constant:
                found.append(f"{where}: must be {field.constant!r} in {type_}")
            found += self.violations(value[name], field.types, where, strict)
        return found


class _Invalid:
    """Marker for a value that does not fit a type."""


_INVALID = _Invalid()


def _is_primitive(value: Any, type_: str) -> bool:
    if type_ == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_ == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_ == "Boolean":
        return isinstance(value, bool)
    return isinstance(value, str)


def _coerce_primitive(value: Any, type_: str) -> Any:
    """Decode a request value the lenient way Telegram does (form values are strings)."""
    if _is_primitive(value, type_):
        return value
    if type_ == "String" and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        return _INVALID
    if type_ == "Boolean":
        return _BOOLEANS.get(value, _INVALID)
    try:
        return int(value) if type_ == "Integer" else float(value)
    except ValueError:
        return _INVALID
