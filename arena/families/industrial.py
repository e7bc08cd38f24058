"""Industrial & energy operations: sensor threshold alarms, meter deltas, pump states (far probe)."""

from __future__ import annotations

from arena.families.base import Family, Instance, pool


class SensorAlarms(Family):
    name = "sensor-alarms"
    domain = "industrial-energy"
    description = "list the sensors whose reading is strictly above an alarm threshold"
    fmt = "list"
    skills = ("extraction", "comparison", "answer-list", "threshold-rule")
    tags = ("scada", "alarms")
    pools = {
        "sensor": pool(
            [f"TT-{i}" for i in range(101, 121)] + [f"PT-{i}" for i in range(101, 121)],
            [f"FT-{i}" for i in range(201, 221)] + [f"LT-{i}" for i in range(201, 221)],
        )
    }
    intros = {
        "train": ("Latest readings from the plant sensors:", "SCADA snapshot, one sensor per line:"),
        "heldout": ("Current values reported by the field instruments:", "Instrument poll results:"),
    }
    asks = {
        "main": {
            "train": (
                "A sensor is in alarm when its reading is above {T}. Which sensors are in alarm?",
                "Alarm rule: reading > {T}. List the sensors in alarm.",
            ),
            "heldout": (
                "An instrument trips when its value exceeds {T}. Which instruments tripped?",
                "Flag every instrument whose value is strictly greater than {T}.",
            ),
        }
    }

    def make(self, rng, level, split):
        n = (4, 6, 8)[level]
        k = rng.randint(2, n // 2)
        names = rng.sample(self.pool("sensor", split), n)
        T = rng.randint(40, 90)
        spread = (12, 8, 5)[level]
        alarm = set(rng.sample(range(n), k))
        values = [T + rng.randint(1, spread) if i in alarm else T - rng.randint(0, spread) for i in range(n)]
        # a reading exactly at the threshold is not above it
        values[rng.choice([i for i in range(n) if i not in alarm])] = T
        answer = ",".join(names[i] for i in range(n) if i in alarm)
        top = max(range(n), key=lambda i: values[i])
        return Instance(
            "\n".join(f"{nm} {v}" for nm, v in zip(names, values)),
            answer,
            {"T": str(T)},
            candidates=tuple(names),
            entities=tuple(names),
            shortcuts={
                "highest-only": names[top],
                "at-or-above": ",".join(nm for nm, v in zip(names, values) if v >= T),
            },
        )


class MeterDelta(Family):
    name = "meter-delta"
    domain = "industrial-energy"
    description = "energy used by a meter over a period: end reading minus start reading"
    fmt = "int"
    skills = ("extraction", "arithmetic", "answer-int", "meter-reading")
    tags = ("energy", "metering")
    pools = {
        "meter": pool(
            "boiler chiller press kiln dryer mixer pump oven fan crusher",
            "furnace lathe compressor conveyor extruder smelter turbine welder sifter grinder",
        )
    }
    intros = {
        "train": (
            "Monthly kWh meter readings (meter, start, end):",
            "Energy meters, start and end of the period:",
        ),
        "heldout": (
            "Sub-meter register, opening and closing kWh:",
            "Readings taken at shift start and shift end:",
        ),
    }
    asks = {
        "one": {
            "train": (
                "How many kWh did the {target} meter record (end minus start)?",
                "What was the {target} consumption in kWh?",
            ),
            "heldout": (
                "How much energy, in kWh, did the {target} use over the period?",
                "Give the {target} usage in kWh.",
            ),
        },
        "sum": {
            "train": ("What is the combined use of the {a} and {b} meters in kWh?",),
            "heldout": ("How many kWh did the {a} and the {b} use together?",),
        },
    }

    def make(self, rng, level, split):
        n = (2, 3, 4)[level]
        names = rng.sample(self.pool("meter", split), n)
        rows = []
        for _ in names:
            start = rng.randint(100, 899) if level == 0 else rng.randint(1000, 8999)
            rows.append((start, start + (rng.randint(5, 99) if level == 0 else rng.randint(10, 999))))
        data = "\n".join(f"{nm} {s} {e}" for nm, (s, e) in zip(names, rows))
        if level < 2:
            t = rng.randrange(n)
            s, e = rows[t]
            return Instance(
                data,
                str(e - s),
                {"target": names[t]},
                "one",
                candidates=tuple(names),
                entities=tuple(names),
                shortcuts={"end-reading": str(e), "start-reading": str(s)},
            )
        a, b = rng.sample(range(n), 2)
        total = rows[a][1] - rows[a][0] + rows[b][1] - rows[b][0]
        return Instance(
            data,
            str(total),
            {"a": names[a], "b": names[b]},
            "sum",
            candidates=tuple(names),
            entities=tuple(names),
            shortcuts={"first-only": str(rows[a][1] - rows[a][0])},
        )


class PumpStatus(Family):
    name = "pump-status"
    domain = "industrial-energy"
    description = "count pumps per state (running, stopped, fault) in a status board"
    fmt = "kv"
    skills = ("extraction", "counting", "answer-kv", "equipment-status")
    tags = ("pumps", "status")
    reserved = True
    pools = {
        "pump": pool([f"P-{i}" for i in range(101, 141)], [f"P-{i}" for i in range(201, 241)]),
    }
    intros = {
        "train": ("Pump station status board:", "Status of the station pumps:"),
        "heldout": ("Pump house panel, one pump per line:", "Control room view of the pumps:"),
    }
    asks = {
        "main": {
            "train": ("How many pumps are in each state?",),
            "heldout": ("Count the pumps per state.",),
        }
    }
    STATES = ("running", "stopped", "fault")

    def make(self, rng, level, split):
        n = (5, 7, 9)[level]
        names = rng.sample(self.pool("pump", split), n)
        states = [rng.choice(self.STATES) for _ in names]
        answer = "\n".join(f"{s}={states.count(s)}" for s in self.STATES)
        return Instance(
            "\n".join(f"{nm} {s}" for nm, s in zip(names, states)),
            answer,
            keys=self.STATES,
            candidates=tuple(names),
            entities=tuple(names),
            shortcuts={"all-running": f"running={n}\nstopped=0\nfault=0"},
        )
