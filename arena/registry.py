"""One small registry for every extension point: a name → a lazy ``"module:attr"`` import path.

    from arena.registry import RUNTIMES
    RUNTIMES.load("local")          # imports arena.sandbox.local, returns LocalRuntime
    "local" in RUNTIMES, RUNTIMES.names()

The built-in tables are at the end of this module (strings, so importing it imports nothing):
to add a built-in runtime, agent, engine or executor, add its line there.  Families are listed
in :mod:`arena.families` (``FAMILY_PLUGINS`` adds the third-party ones).

A third party adds a runtime, agent, engine, executor or family without editing arena, through
Python entry points of the registry's group (``arena.runtimes``, ``arena.agents``,
``arena.engines``, ``arena.executors``, ``arena.families``) in its own package::

    [project.entry-points."arena.agents"]
    my-agent = "my_package.agents:MyAgent"

A built-in name cannot be taken over by an entry point.  Nothing is imported before ``load``, and
entry points are read only when a name is not built in (or when every name is asked for), so a
command that uses the built-ins never scans the installed packages.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping


class RegistryError(ValueError):
    """An unknown name, or a registered path that cannot be imported (``missing`` names the module)."""

    def __init__(self, message: str, *, missing: str | None = None):
        super().__init__(message)
        self.missing = missing


class Registry:
    """``kind`` (for messages), the entry-point ``group``, and the built-in ``{name: "module:attr"}``."""

    def __init__(self, kind: str, group: str, builtin: Mapping[str, str]):
        self.kind, self.group = kind, group
        self.builtin = dict(builtin)
        self._plugins: dict[str, str] | None = None

    def plugins(self) -> dict[str, str]:
        """``{name: "module:attr"}`` of the installed entry points of the group (built-ins win)."""
        if self._plugins is None:
            from importlib.metadata import entry_points

            self._plugins = {ep.name: ep.value for ep in entry_points(group=self.group) if ep.name not in self.builtin}
        return self._plugins

    def names(self) -> list[str]:
        return [*self.builtin, *sorted(self.plugins())]

    def __contains__(self, name: object) -> bool:
        return name in self.builtin or name in self.plugins()

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def path(self, name: str) -> str:
        if name in self.builtin:
            return self.builtin[name]
        if name in self.plugins():
            return self.plugins()[name]
        raise RegistryError(f"unknown {self.kind} {name!r}; choose one of: {', '.join(self.names())}")

    def load(self, name: str):
        """The object ``name`` stands for (imported now); a missing dependency is a RegistryError."""
        module, _, attr = self.path(name).partition(":")
        try:
            obj = importlib.import_module(module)
        except ImportError as exc:
            raise RegistryError(f"{self.kind} {name!r} needs a missing dependency ({exc.name})",
                                missing=exc.name or module) from exc  # fmt: skip
        for part in attr.split(".") if attr else []:
            obj = getattr(obj, part)
        return obj

    def option(self, *also: str) -> dict:
        """argparse keywords (``type``, ``metavar``) for an option naming one of these (or one of
        ``also``, e.g. ``auto``): the same help and invalid-choice message as ``choices=`` would
        give, without reading the entry points until a name is not built in."""

        def check(value: str) -> str:
            if value in also or value in self:
                return value
            import argparse

            names = [*also, *self.names()]
            raise argparse.ArgumentTypeError(f"invalid choice: {value!r} (choose from {', '.join(map(repr, names))})")

        check.__name__ = self.kind
        return {"type": check, "metavar": "{" + ",".join([*also, *self.builtin]) + "}"}


# -- the extension points -----------------------------------------------------------------------

#: sandbox runtimes (a :class:`arena.sandbox.base.Runtime` subclass, made with the runtime options)
RUNTIMES = Registry("runtime", "arena.runtimes", {"docker": "arena.sandbox.docker:DockerRuntime",
                                                  "local": "arena.sandbox.local:LocalRuntime"})  # fmt: skip
#: agents a command can name (an :class:`arena.agents.base.Agent` subclass made without arguments)
AGENTS = Registry("agent", "arena.agents", {"oracle": "arena.agents.base:OracleAgent",
                                            "nop": "arena.agents.base:NopAgent"})  # fmt: skip
#: inference engines (an :class:`arena.engines.Engine` subclass, made with the engine options)
ENGINES = Registry("engine", "arena.engines", {"transformers": "arena.engines:TransformersEngine",
                                               "vllm": "arena.engines:VLLMEngine", "openai": "arena.engines:OpenAIEngine"})  # fmt: skip
#: trial fan-out (a class taking ``(workers, address)`` with ``map_unordered``)
EXECUTORS = Registry("executor", "arena.executors", {"local": "arena.executors:LocalPool",
                                                     "ray": "arena.executors:RayExecutor"})  # fmt: skip
#: third-party task families (a :class:`arena.families.base.Family` subclass); the built-in ones
#: are arena.families' own list
FAMILY_PLUGINS = Registry("family", "arena.families", {})
