"""AI/ML & agentic systems: config field reading, metric-table argmax, agent-trace errors (far probe)."""

from __future__ import annotations

from arena.families.base import Family, Instance, pool


class ConfigFields(Family):
    name = "config-fields"
    domain = "ai-ml-agentic"
    description = "read named settings (section.field) out of a nested training config"
    fmt = "kv"
    skills = ("extraction", "answer-kv", "config-reading")
    tags = ("config", "yaml")
    pools = {
        "section": pool("model train eval data", "optim trainer loader decoder"),
        "field": pool(
            "hidden layers heads batch_size epochs steps seed workers warmup",
            "depth width micro_batch patience max_steps shards beams dropout_pct grad_accum",
        ),
    }
    intros = {
        "train": ("Training run config (YAML):", "Contents of config.yaml:"),
        "heldout": ("Experiment settings file:", "The job's YAML configuration:"),
    }
    asks = {
        "main": {
            "train": ("Report the value of each setting listed below.", "Look up the settings named below."),
            "heldout": (
                "Read off the settings named below.",
                "What are the values of the settings listed below?",
            ),
        }
    }
    VALUES = (1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 42, 48, 50, 64, 100, 128, 256, 500, 512, 1000)

    def make(self, rng, level, split):
        sections = rng.sample(self.pool("section", split), (2, 3, 4)[level])
        shared = rng.sample(self.pool("field", split), 4)  # few field names: repeats across sections
        values = iter(rng.sample(self.VALUES, 4 * len(sections)))
        conf = {s: {f: next(values) for f in rng.sample(shared, rng.randint(2, 3))} for s in sections}
        flat = [(f"{s}.{f}", v) for s, fields in conf.items() for f, v in fields.items()]
        # ask about fields whose name also appears in another section when there is one (the distractor)
        counts = {}
        for s in conf:
            for f in conf[s]:
                counts[f] = counts.get(f, 0) + 1
        ambiguous = [i for i, (k, _) in enumerate(flat) if counts[k.split(".", 1)[1]] > 1]
        pick = set(rng.sample(ambiguous, min(len(ambiguous), (1, 2, 3)[level])))
        while len(pick) < (1, 2, 3)[level]:
            pick.add(rng.randrange(len(flat)))
        asked = [flat[i] for i in sorted(pick)]
        keys = tuple(k for k, _ in asked)
        wrong = []
        for k, _ in asked:
            s, f = k.split(".", 1)
            other = [conf[o][f] for o in conf if o != s and f in conf[o]]
            wrong.append(f"{k}={other[0] if other else flat[0][1]}")
        lines = []
        for s, fields in conf.items():
            lines.append(f"{s}:")
            lines += [f"  {f}: {v}" for f, v in fields.items()]
        return Instance(
            "\n".join(lines),
            "\n".join(f"{k}={v}" for k, v in asked),
            keys=keys,
            candidates=tuple(sections),
            entities=tuple(sections) + tuple(shared),
            shortcuts={"other-section": "\n".join(wrong)},
        )


class MetricArgmax(Family):
    name = "metric-argmax"
    domain = "ai-ml-agentic"
    description = "pick the run with the best value of one metric in a results table"
    fmt = "token"
    skills = ("extraction", "comparison", "answer-token", "experiment-tracking")
    tags = ("experiments", "leaderboard")
    pools = {
        "run": pool(
            [f"run-{x}" for x in "ant bee cat dog eel fox gnu hen ibis jay".split()],
            [f"run-{x}" for x in "kiwi lark mole newt orca puma quail rook seal toad".split()],
        )
    }
    intros = {
        "train": ("Sweep results:", "Experiment tracker export:"),
        "heldout": ("Leaderboard of the ablation runs:", "Metrics logged for each trial:"),
    }
    asks = {
        "max": {
            "train": (
                "Which run has the highest {metric}?",
                "Name the run with the best (largest) {metric}.",
            ),
            "heldout": ("Which trial reached the top {metric}?", "Pick the run whose {metric} is largest."),
        },
        "min": {
            "train": (
                "Which run has the lowest {metric}?",
                "Name the run with the best (smallest) {metric}.",
            ),
            "heldout": (
                "Which trial ended with the smallest {metric}?",
                "Pick the run whose {metric} is lowest.",
            ),
        },
    }

    def make(self, rng, level, split):
        n = (4, 5, 6)[level]
        runs = rng.sample(self.pool("run", split), n)
        cols = ["train_acc", "val_acc", "loss"] if level == 2 else ["val_acc", "loss"]
        while True:
            table = {c: rng.sample(range(50, 100) if c.endswith("acc") else range(10, 100), n) for c in cols}
            best = {c: (min if c == "loss" else max)(range(n), key=lambda i, c=c: table[c][i]) for c in cols}
            if len(set(best.values())) == len(cols):  # every metric crowns a different run
                break
        metric = rng.choice(cols)
        other = best[rng.choice([c for c in cols if c != metric])]
        header = "run " + " ".join(cols)
        rows = [
            f"{r} " + " ".join(str(table[c][i]) if c != "loss" else f"0.{table[c][i]:02d}" for c in cols)
            for i, r in enumerate(runs)
        ]
        return Instance(
            "\n".join([header] + rows),
            runs[best[metric]],
            {"metric": metric},
            "min" if metric == "loss" else "max",
            candidates=tuple(runs),
            entities=tuple(runs),
            shortcuts={"other-metric": runs[other]},
        )


class TraceErrors(Family):
    name = "trace-errors"
    domain = "ai-ml-agentic"
    description = "count the tool calls that returned an error in an agent trace"
    fmt = "int"
    skills = ("extraction", "counting", "answer-int", "agent-traces")
    tags = ("agents", "tool-calls")
    reserved = True
    pools = {"tool": pool("search fetch shell calc browse sql", "lookup crawl exec solver scrape vector")}
    intros = {
        "train": ("Agent trace (step, tool, result):", "Tool calls made by the agent:"),
        "heldout": ("Execution log of the assistant's tool use:", "Replay of the agent episode:"),
    }
    asks = {
        "main": {
            "train": ("How many tool calls returned an error?",),
            "heldout": ("Count the calls whose result was an error.",),
        }
    }
    ERRORS = ("error 404", "error timeout", "error 500", "error denied")

    def make(self, rng, level, split):
        n = (6, 8, 10)[level]
        tools = self.pool("tool", split)
        c = rng.randint(0, 5)
        fails = set(rng.sample(range(n), c))
        lines = []
        for i in range(n):
            res = (
                rng.choice(self.ERRORS)
                if i in fails
                else ("ok (after retry)" if level and rng.random() < 0.3 else "ok")
            )
            lines.append(f"step {i + 1} {rng.choice(tools)} -> {res}")
        used = sorted({ln.split()[2] for ln in lines})
        return Instance(
            "\n".join(lines),
            str(c),
            candidates=tuple(used),
            entities=tuple(used),
            shortcuts={"steps": str(n)},
        )
