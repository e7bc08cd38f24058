"""Cybersecurity: failed-login IP extraction, log triage counts, port-scan source (far probe)."""

from __future__ import annotations

from arena.families.base import Family, Instance, pool

#: source addresses: train prompts use private 10/8 and 192.168/16, held-out ones 172.16/12 and TEST-NET-3
IPS = pool(
    [f"10.0.{a}.{b}" for a in (1, 2, 3, 4) for b in (7, 23, 41, 66, 89)]
    + [f"192.168.{a}.{b}" for a in (1, 5, 9, 20) for b in (4, 17, 38, 52, 120)],
    [f"172.16.{a}.{b}" for a in (2, 6, 8, 11) for b in (3, 19, 44, 71, 98)]
    + [f"203.0.113.{b}" for b in range(5, 205, 10)],
)


class FailedLoginIps(Family):
    name = "failed-login-ips"
    domain = "cybersecurity"
    description = "list the source IPs with failed SSH logins (at a threshold when hard) in an auth log"
    fmt = "list"
    skills = ("extraction", "counting", "answer-list", "log-parsing")
    tags = ("ssh", "auth-log", "blue-team")
    pools = {
        "ip": IPS,
        "user": pool("root admin ana ben deploy git oracle web", "ubuntu test mia raj backup pi guest ops"),
    }
    intros = {
        "train": (
            "sshd auth log excerpt (result, user, source IP):",
            "Extract of /var/log/auth.log on the bastion:",
        ),
        "heldout": ("SSH authentication events from the jump host:", "Login attempts recorded by sshd:"),
    }
    asks = {
        "main": {
            "train": (
                "Which source IPs had at least {t} failed login(s)?",
                "List the IPs with {t} or more Failed lines.",
            ),
            "heldout": (
                "Name every source address with no fewer than {t} failed attempt(s).",
                "Which addresses failed to log in at least {t} time(s)?",
            ),
        }
    }

    def make(self, rng, level, split):
        thr = (1, 2, rng.randint(2, 3))[level]
        k = (2, rng.randint(2, 3), 2)[level]
        ips = rng.sample(self.pool("ip", split), 2 * k)
        users = self.pool("user", split)
        events = []  # (ip, ok)
        for ip in ips[:k]:
            events += [(ip, False)] * rng.randint(thr, thr + (level == 1))
        for j, ip in enumerate(ips[k:]):
            # below the threshold: thr - 1 failures (none when thr is 1), then a successful login
            near_miss = thr - 1 if j % 2 == 0 else 0
            events += [(ip, False)] * near_miss + [(ip, True)] * rng.randint(1, 2 - (level > 0))
        rng.shuffle(events)
        lines, used = [], set()
        for ip, ok in events:
            u = rng.choice(users)
            used.add(u)
            lines.append(f"{'Accepted' if ok else 'Failed'} {u} {ip}")
        order = list(dict.fromkeys(ip for ip, _ in events))
        bad = set(ips[:k])
        answer = ",".join(ip for ip in order if ip in bad)
        any_fail = ",".join(ip for ip in order if (ip, False) in events)
        return Instance(
            "\n".join(lines),
            answer,
            {"t": str(thr)},
            candidates=tuple(order),
            entities=tuple(ips) + tuple(sorted(used)),
            shortcuts={"any-failure": any_fail} if thr > 1 else {},
        )


class LogLevelCount(Family):
    name = "log-level-count"
    domain = "cybersecurity"
    description = "count the log lines of one level (ERROR or WARN) from one host"
    fmt = "int"
    skills = ("extraction", "counting", "answer-int", "log-parsing")
    tags = ("log-triage", "siem")
    pools = {
        "host": pool(
            "web-1 web-2 db-1 db-2 cache-1 api-1 api-2 queue-1",
            "edge-7 mail-3 vpn-2 auth-4 proxy-5 dns-6 store-8 batch-9",
        )
    }
    intros = {
        "train": ("Syslog lines forwarded to the SIEM (host, level, message):", "Aggregated service logs:"),
        "heldout": ("Events collected by the log shipper:", "Central log stream, newest last:"),
    }
    asks = {
        "main": {
            "train": (
                "How many {level} lines came from {host}?",
                "Count the {level} lines logged by {host}.",
            ),
            "heldout": (
                "What is the number of {level} events reported by {host}?",
                "For host {host}, how many lines have level {level}?",
            ),
        }
    }
    LEVELS = ("INFO", "WARN", "ERROR")
    MESSAGES = (
        "timeout",
        "retry",
        "disk full",
        "conn reset",
        "slow query",
        "cache miss",
        "started",
        "auth ok",
    )

    def make(self, rng, level, split):
        n = (7, 9, 11)[level]
        hosts = rng.sample(self.pool("host", split), (2, 3, 3)[level])
        target, lv = hosts[0], rng.choice(("ERROR", "WARN"))
        c = rng.randint(0, (4, 5, 6)[level])
        pairs = [(target, lv)] * c
        others = [h for h in hosts if h != target]
        pairs.append((rng.choice(others), lv))  # the same level from another host
        pairs.append((target, rng.choice([x for x in self.LEVELS if x != lv])))  # the host at another level
        while len(pairs) < n:
            h, x = rng.choice(hosts), rng.choice(self.LEVELS)
            if (h, x) != (target, lv):
                pairs.append((h, x))
        rng.shuffle(pairs)
        lines = [f"{h} {x} {rng.choice(self.MESSAGES)}" for h, x in pairs]
        return Instance(
            "\n".join(lines),
            str(c),
            {"host": target, "level": lv},
            candidates=tuple(hosts),
            entities=tuple(hosts),
            shortcuts={
                "level-total": str(sum(x == lv for _, x in pairs)),
                "host-total": str(sum(h == target for h, _ in pairs)),
            },
        )


class PortScanSource(Family):
    name = "port-scan-source"
    domain = "cybersecurity"
    description = "find the source IP that touched the most distinct ports in a firewall log"
    fmt = "token"
    skills = ("extraction", "counting", "comparison", "answer-token", "log-parsing")
    tags = ("firewall", "port-scan")
    reserved = True
    pools = {"ip": IPS}
    intros = {
        "train": ("Firewall accept log (source -> destination port):", "Connections seen at the perimeter:"),
        "heldout": ("Edge router flow records:", "Inbound connection attempts logged by the firewall:"),
    }
    asks = {
        "main": {
            "train": ("Which source IP contacted the most distinct destination ports?",),
            "heldout": ("Which source address reached the largest number of different ports?",),
        }
    }
    PORTS = (22, 23, 25, 53, 80, 110, 143, 443, 445, 3306, 3389, 5432, 8080)

    def make(self, rng, level, split):
        m = (3, 4, 5)[level]
        ips = rng.sample(self.pool("ip", split), 2 + (2, 2, 3)[level])
        scanner, noisy, rest = ips[0], ips[1], ips[2:]
        flows = [(scanner, p) for p in rng.sample(self.PORTS, m)]
        noisy_ports = rng.sample(self.PORTS, 1 if level == 0 else 2)
        flows += [(noisy, rng.choice(noisy_ports)) for _ in range(m + rng.randint(1, 2))]
        for ip in rest:
            ports = rng.sample(self.PORTS, rng.randint(1, 2))
            flows += [(ip, p) for p in ports]
        rng.shuffle(flows)
        # the first line belongs to a uniformly drawn source, so "the first IP" is a chance-level guess
        lead = rng.choice(ips)
        first = next(i for i, (ip, _) in enumerate(flows) if ip == lead)
        flows.insert(0, flows.pop(first))
        return Instance(
            "\n".join(f"{ip} -> {p}" for ip, p in flows),
            scanner,
            candidates=tuple(dict.fromkeys(ip for ip, _ in flows)),
            entities=tuple(ips),
            shortcuts={"most-lines": noisy},
        )
