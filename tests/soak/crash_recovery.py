#!/usr/bin/env python3
"""Crash recovery (issue 12): `kill -9` at random points while the real `vigil run` tails an
auth log and stores an alert for every line, then restart; ten times. The totals must be
exact: every line written raised its alert once and only once (none lost, none duplicated),
the store opens, and the audit log verifies (`vigil verify`), torn tails cut by the restarts
being reported with their count.

How the daemon makes this hold (docs/reliability.md): the tailer's saved position advances
only through a barrier behind the line's events, once the alert router has stored their
alerts (so a crash re-reads lines rather than skipping them), and an alert carries the key of
its line (`source_key`, unique in the store), so a line read again raises nothing new.

The writer appends lines at a steady rate for the whole test and rotates the file once
(rename and create) part-way, so a crash can fall before or after a rotation.

Usage: crash_recovery.py --vigil PATH [--lines N] [--rate R] [--kills K] [--seed S] [--keep DIR]
Exit 0: exact; 1: a difference (printed); 77: cannot run here.
"""

import argparse
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from vigil_test import eventually, free_port, metrics, verdict  # noqa: E402





RULES = """- rule: soak.failed_password
  name: Failed password
  severity: low
  condition: event.outcome = failure
  output: "failure for {user.name}"
"""


def line(i):
    return (f"Nov 23 07:{i // 60 % 60:02d}:{i % 60:02d} crashhost sshd[{2000 + i % 3000}]: "
            f"Failed password for invalid user crash{i} from 198.51.100.{i % 200 + 1} "
            f"port {2000 + i} ssh2\n")


class Writer(threading.Thread):
    """Appends `lines` lines at `rate` lines/s; renames the file half-way."""

    def __init__(self, path, lines, rate):
        super().__init__(daemon=True)
        self.path, self.lines, self.rate = path, lines, rate
        self.written = 0

    def run(self):
        start = time.monotonic()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        batch = max(1, self.rate // 50)
        while self.written < self.lines:
            n = min(batch, self.lines - self.written)
            os.write(fd, "".join(line(i) for i in range(self.written, self.written + n)).encode())
            self.written += n
            if self.written == self.lines // 2:
                os.rename(self.path, self.path + ".1")
                os.close(fd)
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            ahead = start + self.written / self.rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        os.close(fd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--lines", type=int, default=30_000)
    ap.add_argument("--rate", type=int, default=2_000)
    ap.add_argument("--kills", type=int, default=10)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--keep", help="work in this directory and leave it")
    a = ap.parse_args()
    if not os.access(a.vigil, os.X_OK):
        print(f"SKIP: {a.vigil} is not built")
        return 77
    rng = random.Random(a.seed)
    print(f"seed {a.seed}")

    tmp = a.keep or tempfile.mkdtemp(prefix="vigil-crash-")
    os.makedirs(tmp, exist_ok=True)
    log = os.path.join(tmp, "auth.log")
    state = os.path.join(tmp, "state")
    port = free_port()
    with open(os.path.join(tmp, "rules.yaml"), "w") as f:
        f.write(RULES)
    config = os.path.join(tmp, "vigil.yaml")
    with open(config, "w") as f:
        f.write(f"state_dir: {state}\n"
                f"metrics:\n  listen: 127.0.0.1:{port}\n"
                f"rules:\n  paths: [{tmp}/rules.yaml]\n"
                "collectors:\n"
                f"  - type: auth_log\n    name: crash\n    path: {log}\n    start_at: saved\n")
    open(log, "w").close()
    err_path = os.path.join(tmp, "vigil.err")
    err = open(err_path, "w")
    failures = []

    def start():
        p = subprocess.Popen([a.vigil, "run", "-c", config], stdout=subprocess.DEVNULL, stderr=err)
        if not eventually(lambda: "vigil_tail_lines_total" in metrics(port) or p.poll() is not None, 30):
            failures.append("vigil did not start")
        return p

    repeats = []  # vigil_alerts_duplicates_total of each run, as last scraped

    def scrape_repeats():
        m = re.search(r"^vigil_alerts_duplicates_total (\S+)$", metrics(port), re.M)
        repeats.append(int(float(m.group(1))) if m else 0)

    vigil = start()
    writer = Writer(log, a.lines, a.rate)
    writer.start()
    try:
        for k in range(a.kills):
            # Somewhere in the next 0.2-1.5 s: while reading, storing alerts, saving positions.
            time.sleep(rng.uniform(0.2, 1.5))
            scrape_repeats()
            vigil.send_signal(signal.SIGKILL)
            vigil.wait()
            print(f"kill -9 #{k + 1} after {writer.written} lines written")
            vigil = start()
            if failures:
                break
        writer.join()
        # The last run reads the rest. Wait on the store itself (it is in WAL mode, so reading
        # it beside the daemon is safe) until every line has its alert or the count stops
        # moving: a sanitizer build can take minutes to re-read the rotated file.
        db_path = os.path.join(state, "vigil.db")
        last = {"n": -1, "since": time.monotonic()}

        def settled():
            if vigil.poll() is not None:
                return True
            try:
                with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as db:
                    n = db.execute("SELECT COUNT(DISTINCT source_key) FROM alerts").fetchone()[0]
            except sqlite3.Error:
                return False
            if n != last["n"]:
                last["n"], last["since"] = n, time.monotonic()
            return n >= a.lines or time.monotonic() - last["since"] > 30

        eventually(settled, 300, 0.5)
        scrape_repeats()
    finally:
        writer.join()
        vigil.send_signal(signal.SIGTERM)
        try:
            rc = vigil.wait(timeout=60)
        except subprocess.TimeoutExpired:
            vigil.kill()
            rc = vigil.wait()
        if rc != 0:
            failures.append(f"vigil exited {rc} on SIGTERM")

    # The store opens and holds each line's alert exactly once.
    db = sqlite3.connect(os.path.join(state, "vigil.db"))
    outputs = [r[0] for r in db.execute("SELECT output FROM alerts WHERE rule_id = 'soak.failed_password'")]
    keys = db.execute("SELECT COUNT(DISTINCT source_key), COUNT(*) FROM alerts").fetchone()
    db.close()
    seen = {}
    for o in outputs:
        m = re.fullmatch(r"failure for crash(\d+)", o)
        if not m:
            failures.append(f"unexpected alert output {o!r}")
            continue
        seen[int(m.group(1))] = seen.get(int(m.group(1)), 0) + 1
    lost = [i for i in range(a.lines) if i not in seen]
    twice = [i for i, n in seen.items() if n > 1]
    print(f"{a.lines} lines written, {len(outputs)} alerts stored ({keys[0]} distinct source keys), "
          f"{len(lost)} lost, {len(twice)} duplicated")
    if lost:
        failures.append(f"{len(lost)} lines without an alert, e.g. {lost[:5]}")
    if twice:
        failures.append(f"{len(twice)} lines with more than one alert, e.g. {twice[:5]}")

    log_text = open(err_path).read()
    repairs = re.findall(r"cut a torn last line of (\d+) bytes", log_text)
    print(f"audit log: {len(repairs)} torn tail(s) cut on restart ({sum(map(int, repairs))} bytes)")
    print(f"repeats dropped by source key (as last scraped before each kill and at the end): "
          f"{sum(repeats)}")
    v = subprocess.run([a.vigil, "verify", "-c", config], capture_output=True, text=True)
    print("vigil verify: exit %d: %s" % (v.returncode, (v.stdout + v.stderr).strip().splitlines()[-1:]))
    if v.returncode != 0:
        failures.append("vigil verify failed:\n" + v.stdout + v.stderr)

    if failures:
        print("vigil's log (end):\n" + log_text[-3000:])
    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return verdict(failures)


if __name__ == "__main__":
    sys.exit(main())
