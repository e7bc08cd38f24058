"""Office & knowledge work: action-item owners, calendar conflicts, deadlines (far probe)."""

from __future__ import annotations

from arena.families.base import Family, Instance, pool

NAMES = pool(
    "Ana Ben Cruz Dana Eli Fay Gus Hana Ivo Jon Kim Lou",
    "Mo Nia Omar Pia Quinn Rosa Sami Tara Uma Vic Wes Yara",
)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class ActionItems(Family):
    name = "action-items"
    domain = "office-knowledge-work"
    description = "list the owners of ACTION lines in meeting notes, ignoring names in NOTE lines"
    fmt = "list"
    skills = ("extraction", "answer-list", "meeting-notes")
    tags = ("meetings", "notes")
    pools = {"name": NAMES}
    intros = {
        "train": ("Minutes of the weekly team meeting:", "Notes taken during the project sync:"),
        "heldout": ("Summary written after the planning call:", "Record of the department meeting:"),
    }
    asks = {
        "main": {
            "train": ("Who owns an action item?", "List the people who were given an ACTION."),
            "heldout": ("Which people have to follow up on an ACTION?", "Name each owner of an ACTION line."),
        }
    }
    TASKS = (
        "send the deck",
        "book the room",
        "draft the memo",
        "call the vendor",
        "update the wiki",
        "fix the budget",
        "review the contract",
        "share the notes",
    )
    NOTES = (
        "budget looks fine",
        "asked {y} about dates",
        "liked the demo",
        "thanked {y}",
        "will be out Friday",
    )

    def make(self, rng, level, split):
        k = (2, rng.randint(2, 3), rng.randint(3, 4))[level]
        people = rng.sample(self.pool("name", split), 2 * k)
        owners, others = people[:k], people[k:]
        lines = [("a", o) for o in owners]
        if level == 2:
            lines.append(("a", rng.choice(owners)))  # one owner gets a second action
        lines += [("n", o) for o in others]
        rng.shuffle(lines)
        text = []
        for kind, who in lines:
            if kind == "a":
                text.append(f"ACTION {who}: {rng.choice(self.TASKS)}")
            else:
                note = rng.choice(self.NOTES).format(y=rng.choice([p for p in others if p != who]))
                text.append(f"NOTE {who}: {note}")
        seen = list(dict.fromkeys(w for t in text for w in t.replace(":", "").split() if w in people))
        answer = ",".join(dict.fromkeys(who for kind, who in lines if kind == "a"))
        return Instance("\n".join(text), answer, candidates=tuple(seen), entities=tuple(people))


class CalendarConflicts(Family):
    name = "calendar-conflicts"
    domain = "office-knowledge-work"
    description = "count the pairs of meetings in a day whose time ranges overlap"
    fmt = "int"
    skills = ("comparison", "counting", "answer-int", "scheduling", "time-arithmetic")
    tags = ("calendar", "scheduling")
    pools = {
        "meeting": pool(
            "standup review sync demo planning retro onboarding budget",
            "briefing huddle workshop interview offsite triage kickoff audit",
        )
    }
    intros = {
        "train": ("Tomorrow's calendar:", "Meetings booked for Monday:"),
        "heldout": ("Agenda for the offsite day:", "Room bookings for Thursday:"),
    }
    asks = {
        "main": {
            "train": (
                "How many pairs of meetings overlap? Back-to-back meetings do not overlap.",
                "Count the overlapping meeting pairs (one ending when another starts is fine).",
            ),
            "heldout": (
                "How many pairs of bookings clash in time? Touching end and start is not a clash.",
                "Give the number of meeting pairs that overlap; back-to-back does not count.",
            ),
        }
    }

    @staticmethod
    def _pairs(slots, touching: bool = False) -> int:
        c = 0
        for i in range(len(slots)):
            for j in range(i + 1, len(slots)):
                (s1, e1), (s2, e2) = slots[i], slots[j]
                c += (s1 <= e2 and s2 <= e1) if touching else (s1 < e2 and s2 < e1)
        return c

    def make(self, rng, level, split):
        n = (3, 4, 5)[level]
        names = rng.sample(self.pool("meeting", split), n)
        target = rng.randint(0, (3, 4, 4)[level])
        for _ in range(2000):
            slots = []
            for _ in range(n):
                s = 9 * 60 + 15 * rng.randint(0, 4 * n)
                slots.append((s, s + 15 * rng.randint(1, 4)))
            # a back-to-back pair (touching, not overlapping) is required at medium/hard, usual at easy
            wants_touch = level > 0 or target % 2 == 0
            if self._pairs(slots) == target and (self._pairs(slots, True) > target or not wants_touch):
                break
        if level == 0:
            slots.sort()
        c = self._pairs(slots)
        data = "\n".join(f"{nm} {_hhmm(s)}-{_hhmm(e)}" for nm, (s, e) in zip(names, slots))
        return Instance(
            data,
            str(c),
            candidates=tuple(names),
            entities=tuple(names),
            shortcuts={"touching-counts": str(self._pairs(slots, touching=True))},
        )


class DeadlineCount(Family):
    name = "deadline-count"
    domain = "office-knowledge-work"
    description = "count the tasks due on or before a cutoff date"
    fmt = "int"
    skills = ("extraction", "comparison", "counting", "answer-int", "dates")
    tags = ("deadlines", "planning")
    reserved = True
    pools = {
        "task": pool(
            "report slides budget roadmap invoice review plan survey",
            "audit memo forecast contract minutes brief charter census",
        )
    }
    intros = {
        "train": ("Open items on the team board:", "Deliverables and their due dates:"),
        "heldout": ("Tracker export of pending work:", "Due dates from the project schedule:"),
    }
    asks = {
        "main": {
            "train": ("How many items are due on or before {date}?",),
            "heldout": ("Count the items whose due date is {date} or earlier.",),
        }
    }
    MONTHS = ("Mar", "Jun", "Sep", "Nov")

    def make(self, rng, level, split):
        n = (5, 6, 7)[level]
        names = rng.sample(self.pool("task", split), n)
        month, cutoff = rng.choice(self.MONTHS), rng.randint(8, 22)
        c = rng.randint(0, 5)
        days = [rng.randint(1, cutoff) for _ in range(c)] + [
            rng.randint(cutoff + 1, 28) for _ in range(n - c)
        ]
        if c:
            days[0] = cutoff  # due exactly on the cutoff still counts
        rng.shuffle(days)
        return Instance(
            "\n".join(f"{nm} due {month} {d}" for nm, d in zip(names, days)),
            str(c),
            {"date": f"{month} {cutoff}"},
            candidates=tuple(names),
            entities=tuple(names),
            shortcuts={"strictly-before": str(sum(d < cutoff for d in days))},
        )
