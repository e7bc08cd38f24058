"""Cybersecurity: failed-login IP extraction, web attack triage, port-scan source (far probe)."""

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


class WebAttackType(Family):
    """WAF-style triage: which attack class, if any, hides in a few web requests.

    The signal is the payload (the attack signatures are the domain knowledge, the same in both
    splits); hosts, paths and parameter names are entities (train and held-out halves), so a
    held-out task is new traffic carrying a known kind of attack.  The answer is one of five fixed
    labels named in the question, which makes the family learnable by the showcase's tiny model
    from a team-sized corpus (measured in bench/calibrate_heldout.py)."""

    name = "web-attack-type"
    domain = "cybersecurity"
    description = "name the attack class (sqli, xss, traversal, cmdi or none) in a few web requests"
    fmt = "token"
    skills = ("extraction", "classification", "log-parsing", "answer-token")
    tags = ("waf", "web-logs", "blue-team")
    LABELS = ("sqli", "xss", "traversal", "cmdi", "none")
    PAYLOADS = {
        "sqli": ("' OR 1=1--", "' UNION SELECT password FROM users--", "admin'--", "1; DROP TABLE users",
                 "' OR 'a'='a"),
        "xss": ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
                "javascript:alert(document.cookie)"),
        "traversal": ("../../../etc/passwd", "..%2f..%2fetc%2fshadow", "....//....//etc/hosts",
                      "..\\..\\windows\\win.ini"),
        "cmdi": ("; ls -la", "| whoami", "&& uname -a", "$(whoami)", "`uname`"),
    }  # fmt: skip
    BENIGN = ("shoes", "red+dress", "2024", "hello", "page2", "laptop", "blue", "news", "42", "summer+sale")
    STATUS = (200, 200, 403, 500)
    pools = {
        "host": pool("shop.example web.example api.example blog.example", "portal.test store.test app.test wiki.test"),
        "path": pool("/search /login /item /cart /view", "/find /signin /product /basket /show"),
        "param": pool("q term user lang page", "s key name sort p"),
    }
    intros = {
        "train": (
            "Web server access log (method, host, path?param=value, status):",
            "Requests seen by the reverse proxy:",
        ),
        "heldout": ("HTTP requests captured at the load balancer:", "Access log lines from the web tier:"),
    }
    asks = {
        "main": {
            "train": (
                "Which attack type do these requests show: sqli, xss, traversal, cmdi or none?",
                "Classify the attack in this traffic as sqli, xss, traversal, cmdi or none.",
            ),
            "heldout": (
                "What kind of attack is in these lines (sqli, xss, traversal, cmdi, none)?",
                "Name the attack class here; one of sqli, xss, traversal, cmdi, none.",
            ),
        }
    }

    def make(self, rng, level, split):
        n = level + 1  # requests shown: easy 1, medium 2, hard 3 (at most one carries the attack)
        label = rng.choice(self.LABELS)
        host = rng.choice(self.pool("host", split))
        reqs = [[rng.choice(self.pool("path", split)), rng.choice(self.pool("param", split)), rng.choice(self.BENIGN)]
                for _ in range(n)]  # fmt: skip
        if label != "none":
            reqs[rng.randrange(n)][2] = rng.choice(self.PAYLOADS[label])
        lines = [f"GET {host}{path}?{param}={value} {rng.choice(self.STATUS)}" for path, param, value in reqs]
        used = (host,) + tuple(dict.fromkeys(x for r in reqs for x in r[:2]))
        return Instance(
            "\n".join(lines),
            label,
            candidates=self.LABELS,
            entities=used,
            shortcuts={"always-none": "none", "always-sqli": "sqli"},
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
