#!/usr/bin/env python3
"""Authoring-time generator for waf-account-takeover's seed data.

    python3 environment/generate_data.py            # writes environment/incident/ and verifier/data/
    python3 environment/generate_data.py --out DIR  # writes the same tree under DIR (for audits)

Deterministic (fixed seed, stdlib only, no clock): re-running reproduces identical bytes.  Not
copied into the image: it names the attackers.

A morning (08:00-12:00 +0200) of a web shop's reverse-proxy access log plus the WAF's alert
stream (epoch seconds, UTC).  Planted story:
- 203.0.113.77 sprays passwords, gets into m.keller and a.novak; m.keller's session cookie is
  then replayed from 198.18.7.23 to add a payout account and remove an MFA device;
- 203.0.113.140 hammers admin-style names, partly blocked by the WAF, never gets in;
- decoys: an office NAT (192.0.2.10) with many honest typos but no AUTH alerts, and a host
  (192.0.2.55) that trips AUTH alerts but fails too few logins; m.keller's own earlier session
  from home must not be blamed.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

SEED = 5_14_2024
LOCAL = timezone(timedelta(hours=2))
T0 = datetime(2024, 5, 14, 8, 0, 0, tzinfo=LOCAL)
UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
]
BOT_UA = "python-requests/2.31.0"
USERS = [
    "j.silva",
    "m.keller",
    "a.novak",
    "t.okafor",
    "l.bianchi",
    "s.yamada",
    "p.dubois",
    "r.haddad",
    "k.larsen",
    "e.moreau",
    "d.kowalski",
    "n.petrov",
    "h.tanaka",
    "c.oliveira",
    "b.schmidt",
    "f.rossi",
    "g.fischer",
    "i.nilsen",
    "o.garcia",
    "v.horvat",
]
OFFICE_USERS = ["d.kowalski", "n.petrov", "h.tanaka", "c.oliveira", "b.schmidt", "f.rossi", "g.fischer"]
PAGES = ["/", "/catalog", "/catalog/lamps", "/catalog/rugs", "/product/4411", "/product/5120", "/product/7781",
         "/cart", "/account", "/orders", "/orders/88213", "/help/shipping"]  # fmt: skip
SPRAY = ["admin", "info", "sales", "j.silva", "m.keller", "a.novak", "t.okafor", "l.bianchi", "s.yamada",
         "p.dubois", "r.haddad", "k.larsen", "e.moreau", "support", "test", "shop", "i.nilsen", "o.garcia"]  # fmt: skip


class Log:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.lines: list[tuple[float, int, str]] = []
        self.alerts: list[tuple[float, int, dict]] = []
        self.n = 0

    def sid(self) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(16))

    def hit(
        self, t: datetime, ip: str, user: str, method: str, path: str, status: int, ua: str, sid: str = "-"
    ):
        size = self.rng.randint(300, 9000) if method == "GET" else self.rng.randint(80, 600)
        ref = "https://shop.example" + ("/login" if path == "/login" else "/")
        stamp = t.strftime("%d/%b/%Y:%H:%M:%S %z")
        line = f'{ip} - {user} [{stamp}] "{method} {path} HTTP/1.1" {status} {size} "{ref}" "{ua}" sid={sid}'
        self.n += 1
        self.lines.append((t.timestamp(), self.n, line))

    def alert(self, t: datetime, ip: str, rule: str, msg: str, action: str, uri: str):
        self.n += 1
        rid = f"{self.rng.getrandbits(48):012x}"
        doc = {"ts": int(t.timestamp()), "client_ip": ip, "rule_id": rule, "msg": msg, "action": action,
               "uri": uri, "request_id": rid}  # fmt: skip
        self.alerts.append((t.timestamp(), self.n, doc))


def browse(
    log: Log, t: datetime, ip: str, user: str, ua: str, typo: bool, actions: list[tuple[str, str, int]]
):
    rng = log.rng
    for _ in range(rng.randint(1, 3)):
        log.hit(t, ip, "-", "GET", rng.choice(PAGES[:7]), 200, ua)
        t += timedelta(seconds=rng.randint(5, 60))
    log.hit(t, ip, "-", "GET", "/login", 200, ua)
    t += timedelta(seconds=rng.randint(8, 20))
    if typo:
        log.hit(t, ip, user, "POST", "/login", 401, ua)
        t += timedelta(seconds=rng.randint(6, 15))
    sid = log.sid()
    log.hit(t, ip, user, "POST", "/login", 302, ua, sid)
    for _ in range(rng.randint(2, 8)):
        t += timedelta(seconds=rng.randint(4, 90))
        log.hit(t, ip, user, "GET", rng.choice(PAGES), 200, ua, sid)
    for method, path, status in actions:
        t += timedelta(seconds=rng.randint(10, 60))
        log.hit(t, ip, user, method, path, status, ua, sid)
    return t, sid


def build() -> dict[str, bytes]:
    rng = random.Random(SEED)
    log = Log(rng)
    shopping = [("POST", "/cart/items", 201), ("POST", "/checkout", 302)]
    # ordinary customers from home connections
    for i, user in enumerate(u for u in USERS if u not in OFFICE_USERS):
        ip = (
            f"198.51.100.{rng.randint(2, 250)}"
            if i % 2
            else f"100.{rng.randint(64, 127)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        )
        for _ in range(rng.randint(1, 2)):
            t = T0 + timedelta(seconds=rng.randint(0, 4 * 3600 - 900))
            acts = rng.choice([[], shopping, [("POST", "/account/address", 302)], [("POST", "/logout", 302)]])
            browse(log, t, ip, user, rng.choice(UAS), rng.random() < 0.2, acts)
    # the office NAT: honest typos, one WAF false positive (not an AUTH rule)
    for user in OFFICE_USERS:
        for k in range(rng.randint(1, 2)):
            t = T0 + timedelta(seconds=rng.randint(1800, 4 * 3600 - 900))
            browse(log, t, "192.0.2.10", user, UAS[0], k == 0 or user in ("n.petrov", "f.rossi"), [])
    t = T0 + timedelta(minutes=97)
    log.alert(
        t, "192.0.2.10", "SQLI-942", "SQL injection pattern in query string", "detect", "/catalog?q=o'brien"
    )
    log.hit(t, "192.0.2.10", "-", "GET", "/catalog?q=o%27brien", 200, UAS[0])
    # m.keller's own morning session from home (must not be blamed)
    browse(log, T0 + timedelta(minutes=23), "198.51.100.61", "m.keller", UAS[1], False,
           [("POST", "/account/address", 302), ("POST", "/logout", 302)])  # fmt: skip
    # a noisy but harmless client: AUTH alerts, only four failures
    t = T0 + timedelta(minutes=140)
    for _ in range(4):
        log.hit(t, "192.0.2.55", "e.moreau", "POST", "/login", 401, UAS[3])
        log.alert(
            t + timedelta(seconds=1),
            "192.0.2.55",
            "AUTH-101",
            "Login rate above 3/min for client",
            "detect",
            "/login",
        )
        t += timedelta(seconds=9)
    log.alert(t, "192.0.2.55", "AUTH-101", "Login rate above 3/min for client", "detect", "/login")
    # attacker B: admin-name hammering, partly blocked, never succeeds
    t = T0 + timedelta(minutes=61, seconds=13)
    for k in range(31):
        name = ["admin", "root", "administrator", "shopadmin", "test"][k % 5]
        if k % 6 == 5:
            log.alert(t, "203.0.113.140", "AUTH-101", "Login rate above 3/min for client", "block", "/login")
        else:
            log.hit(t, "203.0.113.140", name, "POST", "/login", 401, BOT_UA)
            if k % 4 == 0:
                log.alert(
                    t,
                    "203.0.113.140",
                    "AUTH-104",
                    "Credential stuffing: many usernames from one client",
                    "detect",
                    "/login",
                )
        t += timedelta(seconds=rng.randint(3, 8))
    log.alert(t, "203.0.113.140", "SCAN-913", "Scanner user agent", "detect", "/login")
    # attacker A: password spray, two hits, then session replay from a second address
    t = T0 + timedelta(hours=2, minutes=31, seconds=2)
    log.hit(t, "203.0.113.77", "-", "GET", "/login", 200, UAS[2])
    spray = SPRAY * 4
    for k, name in enumerate(spray):
        t += timedelta(seconds=rng.randint(6, 14))
        if name == "m.keller" and k > 40:
            break
        log.hit(t, "203.0.113.77", name, "POST", "/login", 401, UAS[2])
        if k % 9 == 4:
            log.alert(t, "203.0.113.77", "AUTH-101", "Login rate above 3/min for client", "detect", "/login")
        if k % 23 == 11:
            log.alert(
                t,
                "203.0.113.77",
                "AUTH-104",
                "Credential stuffing: many usernames from one client",
                "detect",
                "/login",
            )
    t += timedelta(seconds=11)
    sid_mk = log.sid()
    log.hit(t, "203.0.113.77", "m.keller", "POST", "/login", 302, UAS[2], sid_mk)
    t += timedelta(seconds=4)
    log.hit(t, "203.0.113.77", "m.keller", "GET", "/account", 200, UAS[2], sid_mk)
    t += timedelta(seconds=21)
    log.hit(t, "203.0.113.77", "m.keller", "POST", "/account/email", 302, UAS[2], sid_mk)
    t += timedelta(seconds=30)
    for name in ("e.moreau", "a.novak"):
        t += timedelta(seconds=9)
        if name == "a.novak":
            sid_an = log.sid()
            log.hit(t, "203.0.113.77", name, "POST", "/login", 302, UAS[2], sid_an)
            t += timedelta(seconds=5)
            log.hit(t, "203.0.113.77", name, "GET", "/orders", 200, UAS[2], sid_an)
            t += timedelta(seconds=17)
            log.hit(t, "203.0.113.77", name, "POST", "/logout", 302, UAS[2], sid_an)
        else:
            log.hit(t, "203.0.113.77", name, "POST", "/login", 401, UAS[2])
    t += timedelta(minutes=6, seconds=40)
    replay = [("GET", "/account", 200), ("POST", "/account/password", 403), ("POST", "/account/payout-methods", 201),
              ("DELETE", "/account/mfa/devices/2", 204), ("GET", "/orders/export?format=csv", 200),
              ("PUT", "/account/notifications", 200)]  # fmt: skip
    for method, path, status in replay:
        log.hit(t, "198.18.7.23", "m.keller", method, path, status, UAS[0], sid_mk)
        t += timedelta(seconds=rng.randint(12, 50))
    log.alert(t, "198.18.7.23", "PROTO-920", "Missing Accept header", "detect", "/account/notifications")
    lines = [x[2] for x in sorted(log.lines)]
    alerts = [json.dumps(x[2]) for x in sorted(log.alerts, key=lambda a: (a[0], a[1]))]
    files = {"access.log": "\n".join(lines) + "\n", "waf_alerts.jsonl": "\n".join(alerts) + "\n"}
    return {k: v.encode() for k, v in files.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, help="write the tree here instead of into the package")
    args = ap.parse_args()
    task = Path(__file__).resolve().parent.parent
    targets = [args.out] if args.out else [task / "environment" / "incident", task / "verifier" / "data"]
    for target in targets:
        for rel, data in build().items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


if __name__ == "__main__":
    main()
