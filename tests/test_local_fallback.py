"""Without bubblewrap the local runtime refuses and says what to install, or runs unisolated only when asked."""

import pytest

from arena.agents.base import NopAgent, OracleAgent
from arena.cli.main import main
from arena.sandbox import bwrap
from arena.sandbox.local import LocalRuntime
from arena.task import load_task
from arena.trial import run_trial


@pytest.fixture
def no_bwrap(monkeypatch):
    monkeypatch.setattr(bwrap.shutil, "which", lambda name: None)
    monkeypatch.setattr(bwrap, "_BWRAP_OK", {})
    yield
    bwrap._BWRAP_OK.clear()


def test_refuses_and_names_the_package(no_bwrap):
    why = LocalRuntime().unavailable_reason()
    assert why and "apt-get install bubblewrap" in why


def test_cli_refuses_with_exit_1(no_bwrap, make_task, capsys):
    assert main(["run", str(make_task()), "--runtime", "local"]) == 1
    assert "bubblewrap" in capsys.readouterr().err


def test_unisolated_mode_warns_loudly_and_runs_a_trusted_task(no_bwrap, make_task, capsys):
    rt = LocalRuntime(isolation="none")
    assert "isolation OFF" in capsys.readouterr().err
    task, _ = load_task(make_task())
    assert run_trial(task, OracleAgent(), rt).reward == 1.0
    assert run_trial(task, NopAgent(), rt).reward == 0.0
