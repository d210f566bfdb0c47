"""The garbage collector's tuning at start: a setting, applied once per server process."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from gateway.operations.memory import tune_garbage_collection
from gateway.operations.settings import Settings, SettingsError


@pytest.fixture
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.set_threshold(*threshold)
    gc.unfreeze()


def test_the_threshold_is_a_setting() -> None:
    assert Settings.from_env({}).gc_threshold == 10_000
    assert Settings.from_env({"GATEWAY_GC_THRESHOLD": "0"}).gc_threshold == 0
    with pytest.raises(SettingsError):
        Settings.from_env({"GATEWAY_GC_THRESHOLD": "-1"})


@pytest.mark.usefixtures("restored_collector")
def test_tuning_raises_the_threshold_and_freezes_what_exists() -> None:
    gc.unfreeze()
    tune_garbage_collection(25_000)
    assert gc.get_threshold()[0] == 25_000
    assert gc.get_freeze_count() > 0


@pytest.mark.usefixtures("restored_collector")
def test_zero_keeps_pythons_defaults() -> None:
    before = gc.get_threshold()
    tune_garbage_collection(0)
    assert gc.get_threshold() == before
