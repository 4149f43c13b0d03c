"""The framework table, and the in-kernel hooks that must match it row for row."""

from __future__ import annotations

import pytest

from fwcheat import frameworks
from fwcheat.kernels import in_kernel
from fwcheat.knowledge.model import Snippets


def test_the_hooks_cover_exactly_the_runnable_frameworks() -> None:
    assert set(in_kernel.HOOKS) == set(frameworks.RUNNABLE_FRAMEWORKS)


@pytest.mark.parametrize("row", frameworks.TABLE, ids=lambda row: row.key)
def test_each_row_matches_its_hooks(row: frameworks.Framework) -> None:
    hooks = in_kernel.HOOKS[row.key]
    assert hooks.device_var == row.device_var
    assert hooks.label == row.short
    assert hooks.modules[-1] == row.module  # the kernel imports what the table probes
    for kind, index in (("cpu", 0), ("gpu", 0), ("gpu", 3)):
        assert hooks.device_name(kind, index) == row.device_name(kind, index)
    assert all(line.startswith(("import ", "from ")) for line in row.preload)
    assert row.install_hint == f"pip install -c constraints.txt 'fwcheat[{row.extra}]'"


def test_tensorflow_and_keras_quiet_their_logs_before_any_import() -> None:
    for key in ("tensorflow", "keras"):
        env = dict(frameworks.get(key).kernel_env)
        assert env["TF_CPP_MIN_LOG_LEVEL"] == "3"
        assert env["KERAS_BACKEND"] == "tensorflow"
    assert dict(frameworks.get("pytorch").kernel_env) == {}


def test_the_schema_has_one_snippet_field_per_framework() -> None:
    assert Snippets.__struct_fields__ == frameworks.FRAMEWORKS


def test_names_people_type_resolve_to_keys() -> None:
    assert frameworks.resolve("torch") == "pytorch"
    assert frameworks.resolve(" Gluon ") == "mxnet"
    assert frameworks.resolve("TF") == "tensorflow"
    assert frameworks.resolve("Keras") == "keras"
    assert frameworks.resolve("jax") is None


def test_framework_lists_are_parsed_in_table_order() -> None:
    assert frameworks.parse_list("tensorflow, pytorch") == ["pytorch", "tensorflow"]
    with pytest.raises(ValueError, match="unknown framework 'jax'"):
        frameworks.parse_list("pytorch,jax")
    with pytest.raises(KeyError, match="known: pytorch, mxnet, tensorflow, keras"):
        frameworks.get("jax")
    assert frameworks.label("jax") == "jax"


def test_the_scanner_profiles_are_keyed_by_the_table() -> None:
    from fwcheat.scan.profiles import PROFILES

    assert set(PROFILES) <= set(frameworks.FRAMEWORKS)
    assert all(profile.framework == key for key, profile in PROFILES.items())


def test_session_module_aliases_point_into_the_framework() -> None:
    for row in frameworks.TABLE:
        for alias, module in row.module_aliases:
            assert alias.isidentifier()
            assert module.split(".")[0] == row.module


def test_short_names_people_type_are_accepted_for_pair_and_lists() -> None:
    from fwcheat.pair import parse_pair

    rows = [row for row in frameworks.TABLE if row.aliases]
    assert rows  # e.g. tf for TensorFlow, torch for PyTorch
    for row in rows:
        other = next(f for f in frameworks.FRAMEWORKS if f != row.key)
        for alias in row.aliases:
            assert parse_pair(f"{alias},{other}") == (row.key, other)
            assert frameworks.parse_list(f"{alias.upper()},{other}") == sorted(
                {row.key, other}, key=frameworks.FRAMEWORKS.index
            )
