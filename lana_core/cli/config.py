"""``lana config``: business settings operators may change at run time."""

from __future__ import annotations

import click

from lana_core.cli.common import Column, show_list, show_one
from lana_core.cli.context import AppContext
from lana_core.cli.options import format_option
from lana_core.exposed_config import SETTINGS, parse_value


@click.group("config")
def config() -> None:
    """Business settings (each change is kept, with who made it)."""


def _setting(key: str, value: object) -> dict:
    setting = SETTINGS[key]
    return {"key": key, "value": value, "type": setting.type.__name__, "default": setting.default,
            "description": setting.description}


COLUMNS = [
    Column("Setting", lambda s: s["key"]),
    Column("Value", lambda s: s["value"]),
    Column("Default", lambda s: s["default"]),
    Column("Description", lambda s: s["description"]),
]


@config.command("list")
@format_option
@click.pass_obj
def list_settings(app: AppContext, fmt: str) -> None:
    """Every setting, its value and what it does."""
    values = app.lana().settings.values(app.actor())
    show_list(fmt, [_setting(k, v) for k, v in values.items()], "Settings", COLUMNS, as_json=lambda s: s)


@config.command("set")
@click.argument("key")
@click.argument("value")
@format_option
@click.pass_obj
def set_setting(app: AppContext, key: str, value: str, fmt: str) -> None:
    """Change a setting (booleans: true/false)."""
    parsed = parse_value(key, value)
    lana, actor = app.lana(), app.actor()
    lana.settings.set(actor, key, parsed)
    show_one(fmt, _setting(key, parsed), f"Setting {key}", lambda s: [(c.header.lower(), c.get(s)) for c in COLUMNS],
             as_json=lambda s: s)
