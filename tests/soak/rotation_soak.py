#!/usr/bin/env python3
"""Rotation soak (issue 12): the real `vigil run` follows an auth log with the auth_log
collector while a writer appends N lines (default 1,000,000) at about R lines/s (default
50,000) and rotates the file every K lines (default 100,000), alternately by rename-and-create
and by copytruncate. Vigil must report, on /metrics, exactly N lines and exactly the bytes
written (vigil_tail_lines_total, vigil_tail_bytes_total: a line read twice or lost would
show in both, and the lines' lengths differ, so a loss and a repeat cannot cancel out), and
the rotations and truncations made.

Rename-and-create is done as logrotate and rsyslog do it: the file is renamed, the writer
keeps appending to the renamed file for a few more batches (rsyslog until its HUP), then
creates the path anew. Copytruncate copies the file and truncates it in place: lines not yet
read when the file is truncated are gone for any reader (logrotate's copytruncate documents
this), so before truncating the writer waits until Vigil has read what was written; the
writer does not write between the copy and the truncation (that loss is copytruncate's own).
The time spent waiting is printed.

Usage: rotation_soak.py --vigil PATH [--lines N] [--rate R] [--rotate-every K]
                        [--no-inotify] [--keep DIR]
Exit 0: exact; 1: a difference (printed); 77: cannot run here.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from vigil_test import eventually, free_port, metrics, verdict  # noqa: E402

BATCH_SECONDS = 0.01  # the writer writes one batch every 10 ms




def sample(text, name, collector):
    m = re.search(r'^%s\{collector="%s"\} (\S+)$' % (name, collector), text, re.M)
    return int(float(m.group(1))) if m else None



def line(i):
    # An sshd failure with a sequence number: lines of varying length, parsed into events.
    return (f"Nov 23 06:{i // 60000 % 60:02d}:{i // 1000 % 60:02d} soakhost sshd[{1000 + i % 50000}]: "
            f"Failed password for invalid user soak{i} from 192.0.2.{i % 250 + 1} "
            f"port {1024 + i % 60000} ssh2\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--rate", type=int, default=50_000)
    ap.add_argument("--rotate-every", type=int, default=100_000)
    ap.add_argument("--no-inotify", action="store_true")
    ap.add_argument("--keep", help="work in this directory and leave it")
    a = ap.parse_args()
    if not os.access(a.vigil, os.X_OK):
        print(f"SKIP: {a.vigil} is not built")
        return 77

    tmp = a.keep or tempfile.mkdtemp(prefix="vigil-soak-")
    os.makedirs(tmp, exist_ok=True)
    log = os.path.join(tmp, "auth.log")
    port = free_port()
    with open(os.path.join(tmp, "rules.yaml"), "w") as f:
        f.write("[]\n")
    with open(os.path.join(tmp, "vigil.yaml"), "w") as f:
        f.write(f"state_dir: {tmp}/state\n"
                f"metrics:\n  listen: 127.0.0.1:{port}\n"
                f"rules:\n  paths: [{tmp}/rules.yaml]\n"
                "collectors:\n"
                f"  - type: auth_log\n    name: soak\n    path: {log}\n"
                f"    start_at: beginning\n    inotify: {'false' if a.no_inotify else 'true'}\n")
    open(log, "w").close()
    err = open(os.path.join(tmp, "vigil.err"), "w")
    vigil = subprocess.Popen([a.vigil, "run", "-c", os.path.join(tmp, "vigil.yaml")],
                             stdout=subprocess.DEVNULL, stderr=err)
    failures = []
    try:
        if not eventually(lambda: sample(metrics(port), "vigil_tail_lines_total", "soak") == 0, 30):
            print("vigil did not start:\n" + open(os.path.join(tmp, "vigil.err")).read()[-3000:])
            return 1

        def read_bytes():
            return sample(metrics(port), "vigil_tail_bytes_total", "soak")

        per_batch = max(1, round(a.rate * BATCH_SECONDS))
        fd = os.open(log, os.O_WRONLY | os.O_APPEND)
        written = 0       # bytes
        renames = truncations = 0
        waited = 0.0      # seconds spent waiting for Vigil before a copytruncate
        old_fd = None     # the renamed file, still written to for a few batches
        old_batches = 0
        start = time.monotonic()
        i = 0
        batch_no = 0
        while i < a.lines:
            n = min(per_batch, a.lines - i)
            # A rotation falls on a multiple of rotate_every, inside a batch if need be.
            next_rotation = (i // a.rotate_every + 1) * a.rotate_every
            if i < next_rotation < i + n:
                n = next_rotation - i
            data = "".join(line(j) for j in range(i, i + n)).encode()
            os.write(old_fd if old_fd is not None else fd, data)
            written += len(data)
            i += n
            if old_fd is not None:
                old_batches -= 1
                if old_batches == 0:  # the writer got its HUP: on to the new file
                    os.close(old_fd)
                    old_fd = None
            if i % a.rotate_every == 0 and i < a.lines:
                k = i // a.rotate_every
                if k % 2 == 1:  # rename and create
                    os.rename(log, f"{log}.{k}")
                    renames += 1
                    old_fd, fd = fd, os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                    old_batches = 3
                else:           # copytruncate
                    t = time.monotonic()
                    if not eventually(lambda: read_bytes() == written, 60, step=0.02):
                        failures.append(f"before copytruncate {k}: Vigil read {read_bytes()} "
                                        f"of {written} bytes within 60 s")
                        break
                    waited += time.monotonic() - t
                    shutil.copyfile(log, f"{log}.{k}")
                    os.truncate(log, 0)
                    truncations += 1
            batch_no += 1
            ahead = start + batch_no * BATCH_SECONDS - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        if old_fd is not None:
            os.close(old_fd)
        os.close(fd)
        elapsed = time.monotonic() - start
        print(f"wrote {i} lines ({written} bytes) in {elapsed:.1f} s = {i / elapsed:,.0f} lines/s; "
              f"{renames} renames, {truncations} copytruncates "
              f"(waited {waited:.2f} s in all for Vigil to catch up before truncating); "
              f"{'polling' if a.no_inotify else 'inotify'}")

        t = time.monotonic()
        eventually(lambda: sample(metrics(port), "vigil_tail_lines_total", "soak") == i, 60, 0.1)
        caught_up = time.monotonic() - t
        time.sleep(1.0)  # anything read twice would show up now
        text = metrics(port)
        got = {name: sample(text, f"vigil_tail_{name}_total", "soak")
               for name in ("lines", "bytes", "rotations", "truncations")}
        want = {"lines": i, "bytes": written, "rotations": renames, "truncations": truncations}
        print(f"Vigil: {got['lines']} lines, {got['bytes']} bytes, {got['rotations']} rotations, "
              f"{got['truncations']} truncations ({caught_up:.2f} s after the writer stopped)")
        for name, value in want.items():
            if got[name] != value:
                failures.append(f"vigil_tail_{name}_total: {got[name]}, want {value}")
        if i != a.lines:
            failures.append(f"the writer stopped at line {i} of {a.lines}")
    finally:
        vigil.send_signal(signal.SIGTERM)
        try:
            rc = vigil.wait(timeout=60)
        except subprocess.TimeoutExpired:
            vigil.kill()
            rc = vigil.wait()
        if rc != 0:
            failures.append(f"vigil exited {rc} on SIGTERM")
        if failures:
            print("vigil's log (end):\n" + open(os.path.join(tmp, "vigil.err")).read()[-3000:])
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return verdict(failures)


if __name__ == "__main__":
    sys.exit(main())
