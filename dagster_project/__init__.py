"""Lana's orchestration (Dagster): the data platform's assets (the raw layer's extract-load, the
dbt models and their tests, the reports by as-of date), the data-quality gates, the core's
periodic jobs, their schedules, and the sensor that carries out report runs requested in the
core. ``definitions.defs`` is what ``dagster dev`` loads (``[tool.dagster]`` in pyproject.toml).
"""
