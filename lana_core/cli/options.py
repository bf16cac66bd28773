"""Option types shared by the commands."""

from __future__ import annotations

from datetime import date

import click

from lana_core.ledger import Layer
from lana_core.money import Currency


class DateParam(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):  # type: ignore[override]
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)


DATE = DateParam()

currency_option = click.option(
    "--currency", type=click.Choice([c.value for c in Currency], case_sensitive=False), default="USD",
    show_default=True, callback=lambda _c, _p, v: Currency(v.upper()),
)
layer_option = click.option(
    "--layer", type=click.Choice([layer.value for layer in Layer]), default="settled", show_default=True,
    callback=lambda _c, _p, v: Layer(v),
)
format_option = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                             show_default=True)
