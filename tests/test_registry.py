"""The one registry helper: built-ins by lazy import path, third-party names by entry points."""

import argparse
import sys

import pytest

from arena.registry import AGENTS, ENGINES, EXECUTORS, FAMILY_PLUGINS, RUNTIMES, Registry, RegistryError


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """An installed package `arena_plugin_demo` adding an agent and a runtime through entry points."""
    (tmp_path / "arena_plugin_demo.py").write_text(
        "from arena.agents.base import NopAgent\n\nclass DemoAgent(NopAgent):\n    name = 'demo'\n"
    )
    dist = tmp_path / "arena_plugin_demo-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: arena-plugin-demo\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[arena.agents]\ndemo = arena_plugin_demo:DemoAgent\noracle = arena_plugin_demo:DemoAgent\n"
        "[arena.runtimes]\nghost = arena_plugin_missing_module:Runtime\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("arena_plugin_demo", None)


def test_builtins_load_lazily_and_unknown_names_are_refused():
    assert AGENTS.names()[:2] == ["oracle", "nop"] and "local" in RUNTIMES and "ray" in EXECUTORS
    assert ENGINES.path("transformers") == "arena.engines:TransformersEngine" and not FAMILY_PLUGINS.builtin
    assert AGENTS.load("nop").__name__ == "NopAgent"
    with pytest.raises(RegistryError, match="unknown agent 'nobody'; choose one of: oracle, nop"):
        AGENTS.path("nobody")


def test_a_third_party_agent_comes_in_by_entry_point_and_cannot_take_a_builtin_name(plugin):
    agents = Registry("agent", "arena.agents", AGENTS.builtin)
    assert "demo" in agents and agents.names() == ["oracle", "nop", "demo"]
    assert agents.load("demo").__name__ == "DemoAgent"
    assert agents.load("oracle").__name__ == "OracleAgent"  # the built-in wins
    runtimes = Registry("runtime", "arena.runtimes", RUNTIMES.builtin)
    with pytest.raises(RegistryError, match="needs a missing dependency") as e:
        runtimes.load("ghost")
    assert e.value.missing == "arena_plugin_missing_module"


def test_the_option_checks_like_choices_and_reads_entry_points_only_for_other_names(plugin):
    agents = Registry("agent", "arena.agents", AGENTS.builtin)
    p = argparse.ArgumentParser()
    p.add_argument("--agent", default="oracle", **agents.option())
    assert p.parse_args([]).agent == "oracle" and agents._plugins is None  # built-in: no scan
    assert p.parse_args(["--agent", "demo"]).agent == "demo"
    assert "{oracle,nop}" in p.format_help()
    with pytest.raises(SystemExit):
        p.parse_args(["--agent", "bogus"])


def test_arena_run_lists_the_registry_agents(capsys):
    from arena.cli.main import main

    with pytest.raises(SystemExit) as e:
        main(["run", "some-task", "--agent", "bogus"])
    assert e.value.code == 2
    assert "invalid choice: 'bogus' (choose from 'oracle', 'nop'" in capsys.readouterr().err


def test_arena_train_takes_a_registered_runtime_and_executor_and_refuses_others(monkeypatch):
    """The recipe and `arena train` read the registry, not a fixed list: a package's runtime is
    accepted by name, an unknown one is refused naming the field and the choices."""
    from arena.registry import RUNTIMES
    from arena.train.recipe import RecipeError, load_recipe, parse_recipe

    base = load_recipe("tiny-cpu").model_dump(mode="json")
    with pytest.raises(RecipeError, match=r"runtime: 'podman' is not a registered runtime; use one of auto, .*local"):
        parse_recipe({**base, "runtime": "podman"}, "t.yaml")
    with pytest.raises(RecipeError, match=r"reward.executor: 'dask' is not"):
        parse_recipe({**base, "reward": {**base["reward"], "executor": "dask"}}, "t.yaml")
    monkeypatch.setitem(RUNTIMES.builtin, "podman", "arena.sandbox.local:LocalRuntime")
    assert parse_recipe({**base, "runtime": "podman"}, "t.yaml").runtime == "podman"
