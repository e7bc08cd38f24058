"""Software engineering: predict a snippet's output, locate a traceback's frame, failed tests (far probe)."""

from __future__ import annotations

import re

from arena.families.base import Family, Instance, pool


def run_snippet(code: str) -> str:
    """The text a generated snippet prints (the generator's own code: integers, loops, ifs only)."""
    out: list[str] = []
    exec(
        compile(code, "<snippet>", "exec"),
        {"__builtins__": {"range": range, "len": len}, "print": out.append},
    )
    return str(out[-1])


class CodeOutput(Family):
    name = "code-output"
    domain = "software-engineering"
    description = "predict the integer a short Python snippet prints (loops, ifs, indexing)"
    fmt = "int"
    skills = ("code-tracing", "arithmetic", "answer-int")
    tags = ("python", "program-tracing")
    pools = {"var": pool("x y n total count val", "a b k acc res num")}
    intros = {
        "train": ("Consider this Python code:", "Here is a short Python program:"),
        "heldout": ("Read the following Python snippet:", "A colleague pasted this Python:"),
    }
    asks = {
        "main": {
            "train": ("What does it print?", "What number is printed?"),
            "heldout": ("What is the printed output?", "Which integer ends up on stdout?"),
        }
    }

    def _code(self, rng, level, v, w):
        kinds = (("loop", "cond"), ("loop", "cond", "index", "loop_i"), ("cond", "index", "while", "two"))[
            level
        ]
        kind = rng.choice(kinds)
        big = 1 + level
        if kind == "loop":
            return f"{v} = {rng.randint(0, 9 * big)}\nfor i in range({rng.randint(2, 2 + 2 * big)}):\n    {v} += {rng.randint(1, 5 * big)}\nprint({v})"
        if kind == "cond":
            a, c = rng.randint(1, 20 * big), rng.randint(1, 20 * big)
            return (
                f"{v} = {a}\nif {v} > {c}:\n    {v} -= {rng.randint(1, 9 * big)}\nelse:\n"
                f"    {v} += {rng.randint(1, 9 * big)}\nprint({v})"
            )
        if kind == "index":
            xs = [rng.randint(0, 30) for _ in range(rng.randint(3, 5))]
            i, j = rng.randrange(len(xs)), rng.randrange(len(xs))
            return f"{v} = [{', '.join(map(str, xs))}]\nprint({v}[{i}] + {v}[{j}])"
        if kind == "loop_i":
            return (
                f"{v} = {rng.randint(0, 9)}\nfor i in range({rng.randint(2, 5)}):\n    {v} += i\nprint({v})"
            )
        if kind == "while":
            return f"{v} = {rng.randint(1, 9)}\nwhile {v} < {rng.randint(20, 120)}:\n    {v} = {v} * 2\nprint({v})"
        return f"{v} = {rng.randint(1, 9)}\n{w} = {rng.randint(1, 9)}\n{v} = {v} + {w} * {rng.randint(2, 4)}\nprint({v} - {w})"

    def make(self, rng, level, split):
        v, w = rng.sample(self.pool("var", split), 2)
        code = self._code(rng, level, v, w)
        nums = re.findall(r"(?<![\w.])\d+", code)
        return Instance(
            f"```python\n{code}\n```",
            run_snippet(code),
            candidates=(v, w),
            entities=(v, w) if f"{w} =" in code else (v,),
            shortcuts={"first-literal": nums[0], "last-literal": nums[-1]},
        )


class StacktraceLine(Family):
    name = "stacktrace-line"
    domain = "software-engineering"
    description = "file and line of the innermost traceback frame that belongs to the project's own code"
    fmt = "kv"
    skills = ("extraction", "answer-kv", "stacktrace-reading")
    tags = ("python", "debugging")
    pools = {
        "root": pool("app", "src"),
        "module": pool(
            "main db api models utils views forms auth jobs cli",
            "server cache router worker schema tasks storage config hooks mailer",
        ),
        "func": pool(
            "run query handle save load parse render login",
            "serve ingest route dispatch store build send flush",
        ),
        "lib": pool("requests yaml jinja2 sqlalchemy", "urllib3 click numpy redis"),
        # library-internal file stems and function names (never ours: distractor frames)
        "libfile": pool("sessions compat structures", "connection pool decorators"),
        "libfunc": pool("prepare request construct", "urlopen invoke lookup"),
    }
    intros = {
        "train": ("A request crashed with this traceback:", "Error report from the web worker:"),
        "heldout": ("The service logged the following exception:", "Crash log attached to the bug ticket:"),
    }
    asks = {
        "main": {
            "train": (
                "Which file and line under {root}/ raised it? Give the innermost frame in {root}/.",
                "Find the innermost frame inside our code ({root}/): its file and line.",
            ),
            "heldout": (
                "Report the deepest frame that lives in {root}/: file path and line number.",
                "Where in our own code ({root}/) did it fail? Innermost such frame.",
            ),
        }
    }
    ERRORS = (
        "ValueError: bad row",
        "KeyError: 'id'",
        "TypeError: unsupported operand",
        "ZeroDivisionError: division by zero",
        "IndexError: list index out of range",
    )

    def make(self, rng, level, split):
        root = self.pool("root", split)[0]
        n_app = (2, 3, 3)[level]
        n_lib = (rng.randint(0, 1), 1, rng.randint(1, 2))[level]
        mods = rng.sample(self.pool("module", split), n_app)
        funcs = rng.sample(self.pool("func", split), n_app)
        lines_no = rng.sample(range(5, 400), n_app + n_lib + 1)
        frames = [(f"{root}/{m}.py", lines_no[i], f) for i, (m, f) in enumerate(zip(mods, funcs))]
        libs = rng.sample(self.pool("lib", split), 2)
        for j in range(n_lib):
            frames.append(
                (
                    f"lib/{libs[j % 2]}/{rng.choice(self.pool('libfile', split))}.py",
                    lines_no[n_app + j],
                    rng.choice(self.pool("libfunc", split)),
                )
            )
        if level == 2:  # a library frame between two of ours
            frames.insert(1, (f"lib/{libs[0]}/__init__.py", lines_no[-1], "wrapper"))
        inner = max(i for i, fr in enumerate(frames) if fr[0].startswith(root + "/"))
        tb = ["Traceback (most recent call last):"]
        tb += [f'  File "{p}", line {ln}, in {fn}' for p, ln, fn in frames]
        tb.append(rng.choice(self.ERRORS))
        f_, l_, _ = frames[inner]
        return Instance(
            "\n".join(tb),
            f"file={f_}\nline={l_}",
            {"root": root},
            keys=("file", "line"),
            candidates=tuple(p for p, _, _ in frames),
            entities=(root, *mods, *funcs, *libs[: max(1, n_lib)]),
            shortcuts={
                "last-frame": f"file={frames[-1][0]}\nline={frames[-1][1]}",
                "first-frame": f"file={frames[0][0]}\nline={frames[0][1]}",
            },
        )


class FailedTests(Family):
    name = "failed-tests"
    domain = "software-engineering"
    description = "list the names of FAILED tests in a pytest report"
    fmt = "list"
    skills = ("extraction", "answer-list", "test-reports")
    tags = ("pytest", "ci")
    reserved = True
    pools = {
        "module": pool("math io net parse cfg auth", "users orders billing catalog export imports"),
        "test": pool(
            [f"test_{x}" for x in "add sub div load save retry merge split trim join".split()],
            [
                f"test_{x}"
                for x in "create delete refund sort paginate upload sync notify rename archive".split()
            ],
        ),
    }
    intros = {
        "train": ("pytest -rA summary of the CI job:", "Short test summary info:"),
        "heldout": ("Results of the nightly test run:", "Test report attached to the pull request:"),
    }
    asks = {
        "main": {
            "train": ("Which tests FAILED? Give the test function names.",),
            "heldout": ("List the function names of the tests marked FAILED.",),
        }
    }

    def make(self, rng, level, split):
        k = (2, rng.randint(2, 3), rng.randint(3, 4))[level]
        names = rng.sample(self.pool("test", split), 2 * k)
        mods = self.pool("module", split)
        status = ["FAILED"] * k + [rng.choice(("PASSED", "PASSED", "SKIPPED")) for _ in range(k)]
        rows = list(zip(status, names))
        rng.shuffle(rows)
        lines, used = [], set()
        for st, nm in rows:
            m = rng.choice(mods)
            used.add(m)
            lines.append(f"{st} tests/test_{m}.py::{nm}")
        return Instance(
            "\n".join(lines),
            ",".join(nm for st, nm in rows if st == "FAILED"),
            candidates=tuple(nm for _, nm in rows),
            entities=tuple(names) + tuple(sorted(used)),
        )
