"""Reading config.yaml: YAML or a desktop client's JSON, `${VAR}` interpolation, key-path errors."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from gateway.config.errors import describe_errors, kind_of
from gateway.config.model import GatewayConfig
from gateway.errors import ConfigError
from gateway.redact import Redactor
from gateway.vocabulary.json import is_array, is_object

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def load_config(path: str | Path) -> GatewayConfig:
    """Read, interpolate and validate a config file; ConfigError lists every problem."""
    file = Path(path)
    try:
        raw_text = file.read_text()
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such config file") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read it ({exc.strerror})") from None
    data = _parse(file, raw_text)
    return parse_config(data, config_dir=file.resolve().parent, source=str(file))


def parse_config(data: Any, *, config_dir: Path, source: str = "config") -> GatewayConfig:
    """Validate already-parsed config data (a YAML/JSON document)."""
    if data is None:
        data = {}
    if not is_object(data):
        raise ConfigError(f"{source}: expected a mapping of sections at the top level, got {kind_of(data)}")
    if "mcpServers" in data:  # a desktop client's file
        data = {**{k: v for k, v in data.items() if k != "mcpServers"}, "mcp_servers": data["mcpServers"]}
    missing: list[str] = []
    taken: set[str] = set()
    data = _interpolate(data, "", missing, taken)
    if missing:
        raise ConfigError("\n".join(f"{source}: {m}" for m in missing))
    try:
        config = GatewayConfig.model_validate({**data, "config_dir": config_dir})
    except ValidationError as exc:
        redact = Redactor(taken)  # a value from the environment in a wrongly typed key stays hidden
        raise ConfigError(
            "\n".join(redact(f"{source}: {line}") for line in describe_errors(exc, GatewayConfig))
        ) from None
    return config.with_environment_values(taken)


def _parse(file: Path, text: str) -> Any:
    if file.suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{file}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{file}{where}: not valid YAML: {problem}") from None


def _interpolate(value: Any, path: str, missing: list[str], taken: set[str]) -> Any:
    """Replace ${VAR} and ${VAR:-default} in every string, noting unset variables by key path
    and every value taken from the environment (a secret, for the redactor)."""
    if is_object(value):
        return {
            k: _interpolate(v, f"{path}.{k}" if path else str(k), missing, taken) for k, v in value.items()
        }
    if is_array(value):
        return [_interpolate(v, f"{path}[{i}]", missing, taken) for i, v in enumerate(value)]
    if isinstance(value, str) and "${" in value:

        def substitute(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in os.environ:
                taken.add(os.environ[name])
                return os.environ[name]
            if default is not None:
                return default
            missing.append(
                f"{path}: environment variable {name} is not set (use ${{{name}:-default}} for a default)"
            )
            return ""

        return _VAR.sub(substitute, value)
    return value
