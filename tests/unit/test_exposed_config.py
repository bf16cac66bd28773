from contextlib import contextmanager
from types import SimpleNamespace
from uuid import uuid4

import pytest

from lana_core import exposed_config
from lana_core.access.domain import Actor
from lana_core.errors import InvalidInput
from lana_core.eventsourcing import Aggregate
from lana_core.exposed_config import SETTINGS, ConfigEntry, ConfigValueSet, ExposedConfig, Setting, parse_value
from tests.unit.aggregate_checks import assert_rehydrates, raises_exactly

KEY = "customer.require-verification"
ADMIN = Actor("user", uuid4(), "admin@bank.sv")


@pytest.fixture
def more_settings(monkeypatch):
    """A whole-number and a text setting next to the shipped boolean one."""
    monkeypatch.setitem(SETTINGS, "deposit.max-withdrawals", Setting(int, 10, "How many withdrawals a day."))
    monkeypatch.setitem(SETTINGS, "bank.name", Setting(str, "Lana", "The bank's name."))


# --- the entry ------------------------------------------------------------------------------


def test_setting_a_value_records_the_key_and_the_value():
    entry = ConfigEntry(uuid4())
    entry.set(KEY, True)
    assert (entry.key, entry.value, entry.version) == (KEY, True, 1)
    assert entry.pending_events == [ConfigValueSet(KEY, True)]


def test_every_change_is_kept_and_the_last_one_wins():
    entry = ConfigEntry(uuid4())
    entry.set(KEY, True)
    entry.set(KEY, False)
    entry.set(KEY, True)
    assert entry.value is True
    assert entry.pending_events == [ConfigValueSet(KEY, True), ConfigValueSet(KEY, False), ConfigValueSet(KEY, True)]


@pytest.mark.parametrize("value", [True, False, 0, 42, "Lana Bank", ""])
def test_an_entry_rehydrates_from_its_events_whatever_the_type_of_its_value(value):
    entry = ConfigEntry(uuid4())
    entry.set(KEY, value)
    assert_rehydrates(entry)
    assert type(ConfigEntry.rehydrate(entry.id, entry.pending_events).value) is type(value)


def test_a_settings_stream_id_is_derived_from_its_key():
    assert exposed_config._stream_id(KEY) == exposed_config._stream_id(KEY)
    assert exposed_config._stream_id(KEY) != exposed_config._stream_id("bank.name")


def test_every_shipped_setting_has_a_default_of_its_type_and_a_description():
    for key, setting in SETTINGS.items():
        assert setting.type in (bool, int, str), key
        assert type(setting.default) is setting.type, key
        assert setting.description.strip(), key


# --- parsing operator input -------------------------------------------------------------------


@pytest.mark.parametrize("text, value", [
    ("true", True), ("TRUE", True), (" yes ", True), ("on", True), ("1", True),
    ("false", False), ("No", False), ("off", False), ("0", False), (" False\n", False),
])
def test_a_boolean_setting_takes_the_usual_words(text, value):
    assert parse_value(KEY, text) is value


@pytest.mark.parametrize("text", ["", "maybe", "2", "t", "y", "enabled", "truee"])
def test_a_boolean_setting_refuses_anything_else(text):
    with raises_exactly(InvalidInput, f"{KEY} takes true or false, got {text!r}"):
        parse_value(KEY, text)


@pytest.mark.parametrize("text, value", [("42", 42), ("0", 0), ("-3", -3), (" 7 ", 7)])
def test_a_whole_number_setting_takes_integers(more_settings, text, value):
    assert parse_value("deposit.max-withdrawals", text) == value


@pytest.mark.parametrize("text", ["", "4.2", "ten", "1e3", "0x10"])
def test_a_whole_number_setting_refuses_anything_else(more_settings, text):
    with raises_exactly(InvalidInput, f"deposit.max-withdrawals takes a whole number, got {text!r}"):
        parse_value("deposit.max-withdrawals", text)


def test_a_text_setting_takes_the_text_as_it_is(more_settings):
    assert parse_value("bank.name", " Banco Lana ") == " Banco Lana "


def test_an_unknown_setting_is_refused_naming_the_known_ones():
    with raises_exactly(InvalidInput, f"unknown setting 'colour' (known: {KEY})"):
        parse_value("colour", "blue")


# --- reading and changing settings (with an in-memory event store) -----------------------------


class MemoryEvents:
    def __init__(self) -> None:
        self.streams: dict = {}

    def find(self, cls: type[Aggregate], id):  # type: ignore[no-untyped-def]
        events = self.streams.get(id)
        return None if events is None else cls.rehydrate(id, events)

    def save(self, aggregate: Aggregate) -> None:
        self.streams.setdefault(aggregate.id, []).extend(aggregate.pending_events)
        aggregate._mark_saved()


class MemoryApp:
    """Just enough of the application for ExposedConfig: operations with an in-memory store,
    recording what was checked."""

    def __init__(self) -> None:
        self.events = MemoryEvents()
        self.operations: list[tuple[str, str, str]] = []

    @contextmanager
    def operation(self, actor: Actor, obj: str, action: str):  # type: ignore[no-untyped-def]
        self.operations.append((actor.subject, obj, action))
        yield SimpleNamespace(events=self.events)


def test_a_setting_nobody_changed_has_its_default(more_settings):
    app = MemoryApp()
    assert ExposedConfig(app).values(ADMIN) == {"bank.name": "Lana", KEY: False, "deposit.max-withdrawals": 10}
    assert app.operations == [(ADMIN.subject, "config/exposed-config/*", "config:exposed-config:read")]


def test_a_changed_setting_has_its_new_value(more_settings):
    app = MemoryApp()
    config = ExposedConfig(app)
    config.set(ADMIN, KEY, True)
    config.set(ADMIN, "deposit.max-withdrawals", 3)
    config.set(ADMIN, "bank.name", "Banco Lana")
    assert config.values(ADMIN) == {"bank.name": "Banco Lana", KEY: True, "deposit.max-withdrawals": 3}
    assert app.operations[0] == (ADMIN.subject, f"config/exposed-config/{KEY}", "config:exposed-config:update")
    assert app.events.streams[exposed_config._stream_id(KEY)] == [ConfigValueSet(KEY, True)]


def test_each_change_of_a_setting_is_kept():
    app = MemoryApp()
    config = ExposedConfig(app)
    config.set(ADMIN, KEY, True)
    config.set(ADMIN, KEY, False)
    assert app.events.streams[exposed_config._stream_id(KEY)] == [ConfigValueSet(KEY, True), ConfigValueSet(KEY, False)]
    assert config.values(ADMIN) == {KEY: False}


@pytest.mark.parametrize("key, value, type_name", [
    (KEY, 1, "bool"), (KEY, "true", "bool"), (KEY, None, "bool"),
    ("deposit.max-withdrawals", True, "int"), ("deposit.max-withdrawals", "3", "int"),
    ("deposit.max-withdrawals", 3.0, "int"),
    ("bank.name", 3, "str"), ("bank.name", False, "str"),
])
def test_a_value_of_the_wrong_type_is_refused(more_settings, key, value, type_name):
    app = MemoryApp()
    with raises_exactly(InvalidInput, f"{key} takes a {type_name}, got {value!r}"):
        ExposedConfig(app).set(ADMIN, key, value)
    assert app.events.streams == {}


def test_changing_an_unknown_setting_is_refused():
    app = MemoryApp()
    with raises_exactly(InvalidInput, "unknown setting 'colour'"):
        ExposedConfig(app).set(ADMIN, "colour", "blue")
    assert app.events.streams == {}
