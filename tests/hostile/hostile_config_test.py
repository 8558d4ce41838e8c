#!/usr/bin/env python3
"""Hostile configuration (issue 12): malformed config files, rule files and retention
policies must each give a located error, never a crash, a sanitizer report or a hang; and a
SIGHUP with any of them must leave the running configuration in force.

The corpus is tests/hostile/{config,rules,policy}/; `expected.txt` gives each file's expected
error code (`-` for a file that is valid) and whether the error is located (FILE:LINE:COL) or
about the whole file (FILE: error). Files that cannot be committed are made at run time:
a FIFO, a directory, a dangling symlink, a character device, a socket, a mode 000 file
(only when not root: root reads it anyway), files over the size limits, a document with too
many commas, a rule file of 20,000 YAML documents.

Usage:
  hostile_config_test.py --vigil PATH check    # `vigil check` on every case (docs/reliability.md)
  hostile_config_test.py --vigil PATH sighup   # `vigil run`, then SIGHUP with a sample of cases
Exit 0: all as expected; 1: a difference (printed); 77: cannot run here.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from vigil_test import eventually, free_port, metrics  # noqa: E402

TIMEOUT = 60  # seconds per `vigil check`: generous for the sanitizer tree; a hang is far longer
SANITIZER = re.compile(r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|ThreadSanitizer|"
                       r"Segmentation fault|terminate called")

GOOD_RULE = """- rule: hostile.root
  name: Root seen
  severity: low
  condition: user.name = root
  output: "root seen"
"""

GOOD_POLICY = """classes:
  - id: records
    paths: ["/srv/records/**"]
    min: 7y
"""


class Case:
    """One input: kind (config, rules, policy), its path, the expected code or None (valid),
    and whether the error must carry LINE:COL."""

    def __init__(self, kind, path, code, located):
        self.kind, self.path, self.code, self.located = kind, path, code, located

    def name(self):
        return f"{self.kind}/{os.path.basename(self.path)}"


def corpus_cases():
    cases = []
    with open(os.path.join(HERE, "expected.txt")) as f:
        for raw in f:
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            rel, code, where = line.split()
            kind = rel.split("/", 1)[0]
            cases.append(Case(kind, os.path.join(HERE, rel), None if code == "-" else code, where == "located"))
    return cases


def generated_cases(tmp):
    """Inputs made at run time, in `tmp`."""
    cases = []
    unreadable = {"config": "E100", "rules": "E200", "policy": "E300"}
    too_large = {"config": ("E103", 5 << 20), "rules": ("E214", 17 << 20), "policy": ("E312", 5 << 20)}
    root = os.geteuid() == 0
    for kind, code in unreadable.items():
        d = os.path.join(tmp, "gen", kind)
        os.makedirs(d)
        fifo = os.path.join(d, "fifo.yaml")
        os.mkfifo(fifo)
        os.mkdir(os.path.join(d, "directory.yaml"))
        os.symlink(os.path.join(d, "no", "such", "file.yaml"), os.path.join(d, "dangling.yaml"))
        sock = os.path.join(d, "socket.yaml")
        s = socket.socket(socket.AF_UNIX)
        s.bind(sock)
        s.close()
        cases += [Case(kind, fifo, code, False), Case(kind, os.path.join(d, "directory.yaml"), code, False),
                  Case(kind, os.path.join(d, "dangling.yaml"), code, False), Case(kind, "/dev/zero", code, False),
                  Case(kind, sock, code, False)]
        if not root:
            locked = os.path.join(d, "mode000.yaml")
            with open(locked, "w") as f:
                f.write(GOOD_RULE if kind == "rules" else "log: {level: info}\n")
            os.chmod(locked, 0)
            cases.append(Case(kind, locked, code, False))
        big_code, size = too_large[kind]
        big = os.path.join(d, "too_large.yaml")
        with open(big, "w") as f:
            f.write("#" * size + "\n")
        cases.append(Case(kind, big, big_code, False))
        # yaml-cpp tokenizes a flow collection whole: more than 200,000 commas are refused.
        commas = os.path.join(d, "commas.yaml")
        with open(commas, "w") as f:
            prefix = {"config": "log: ", "rules": "- list: l\n  items: ", "policy": "classes: "}[kind]
            f.write(prefix + "[" + "1," * 200_001 + "1]\n")
        cases.append(Case(kind, commas, {"config": "E103", "rules": "E227", "policy": "E312"}[kind], False))
        empty = os.path.join(d, "empty.yaml")
        open(empty, "w").close()
        comment = os.path.join(d, "only_comment.yaml")
        with open(comment, "w") as f:
            f.write("# only a comment\n")
        valid_when_empty = kind != "policy"  # a policy needs a class or a hold (E305)
        cases += [Case(kind, empty, None if valid_when_empty else "E305", False),
                  Case(kind, comment, None if valid_when_empty else "E305", False)]
    # Many documents: linear time (once quadratic), and the last one's error at its own line.
    many = os.path.join(tmp, "gen", "rules", "many_documents.yaml")
    with open(many, "w") as f:
        for i in range(20_000):
            f.write(f"---\n- list: l{i}\n  items: [a]\n")
        f.write("---\n- rule: last\n  name: Last\n  severity: low\n  condition: user.nam = x\n")
    cases.append(Case("rules", many, "E206", True))
    return cases


def good_config(tmp, port=None, rules=None, policy=None, collectors=""):
    path = os.path.join(tmp, "good.yaml")
    with open(path, "w") as f:
        f.write(f"state_dir: {tmp}/state\n")
        f.write(f"metrics:\n  listen: 127.0.0.1:{port}\n" if port else "metrics:\n  enabled: false\n")
        f.write("rules:\n  packs: []\n  paths: [" + (rules or "") + "]\n")
        f.write("collectors:\n" + collectors if collectors else "collectors: []\n")
        if policy:
            f.write(f"  - type: retention\n    name: records\n    policy: {policy}\n"
                    f"    roots: [{tmp}/roots]\n    interval: 1h\n")
        f.write("outputs: []\n")
    return path


def check_command(vigil, case, tmp):
    if case.kind == "config":
        return [vigil, "check", "-c", case.path]
    if case.kind == "rules":
        return [vigil, "check", "-c", os.path.join(tmp, "good.yaml"), "-r", case.path]
    cfg = os.path.join(tmp, "policy-config.yaml")
    with open(cfg, "w") as f:
        f.write(f"state_dir: {tmp}/state\nmetrics:\n  enabled: false\nrules:\n  packs: []\n  paths: []\n"
                f"collectors:\n  - type: retention\n    name: records\n    policy: {case.path}\n"
                f"    roots: [{tmp}/roots]\noutputs: []\n")
    return [vigil, "check", "-c", cfg]


def run_check(vigil, case, tmp):
    """The problems with one case, as a list of strings (empty: as expected)."""
    try:
        r = subprocess.run(check_command(vigil, case, tmp), capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return [f"no answer within {TIMEOUT} s (hang)"]
    err = r.stdout.decode("utf-8", "replace") + r.stderr.decode("utf-8", "replace")
    problems = []
    if r.returncode < 0:
        problems.append(f"killed by signal {-r.returncode}")
    if SANITIZER.search(err):
        problems.append("sanitizer or crash report")
    if case.code is None:
        if r.returncode != 0:
            problems.append(f"exit {r.returncode}, expected 0 (valid)")
    else:
        if r.returncode != 1:
            problems.append(f"exit {r.returncode}, expected 1 (invalid)")
        where = r":\d+:\d+" if case.located else ""
        if not re.search("^" + re.escape(case.path) + where + r": error\[" + case.code + r"\]", err, re.M):
            problems.append(f"no '{case.path}{':LINE:COL' if case.located else ''}: error[{case.code}]'")
        # Diagnostics escape control bytes: no raw ones but tab and newline reach the terminal.
        if re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", r.stderr):
            problems.append("raw control bytes in the diagnostics")
    if problems:
        problems.append("output:\n" + err[-2000:])
    return problems


def check_all(vigil):
    tmp = tempfile.mkdtemp(prefix="vigil-hostile-")
    try:
        os.makedirs(os.path.join(tmp, "roots"))
        good_config(tmp)
        cases = corpus_cases() + generated_cases(tmp)
        failures = 0
        by_kind = {}
        for case in cases:
            problems = run_check(vigil, case, tmp)
            by_kind[case.kind] = by_kind.get(case.kind, 0) + 1
            if problems:
                failures += 1
                print(f"FAIL {case.name()}: " + "\n  ".join(problems))
            else:
                print(f"ok   {case.name()}: {case.code or 'valid'}")
        print(f"{len(cases)} cases ({', '.join(f'{n} {k}' for k, n in sorted(by_kind.items()))}), "
              f"{failures} failed")
        return 1 if failures else 0
    finally:
        for dirpath, _, files in os.walk(tmp):
            for f in files:
                p = os.path.join(dirpath, f)
                if not os.path.islink(p) and stat.S_ISREG(os.lstat(p).st_mode):
                    os.chmod(p, 0o600)
        shutil.rmtree(tmp, ignore_errors=True)


def counter(text, name, labels=""):
    m = re.search("^" + re.escape(name + labels) + r" (\S+)$", text, re.M)
    return int(float(m.group(1))) if m else None


def replace_with(path, case):
    """Puts `case` where the daemon reads `path` from: a copy of the file, or the same kind
    of special file (FIFO, directory)."""
    if os.path.isdir(path) and not os.path.islink(path):
        os.rmdir(path)
    elif os.path.lexists(path):
        os.unlink(path)
    mode = os.lstat(case.path).st_mode
    if stat.S_ISFIFO(mode):
        os.mkfifo(path)
    elif stat.S_ISDIR(mode):
        os.mkdir(path)
    else:
        shutil.copyfile(case.path, path)


def restore(path, text):
    if os.path.isdir(path) and not os.path.islink(path):
        os.rmdir(path)
    elif os.path.lexists(path):
        os.unlink(path)
    with open(path, "w") as f:
        f.write(text)


def sighup_all(vigil):
    tmp = tempfile.mkdtemp(prefix="vigil-hostile-hup-")
    proc = None
    failures = []
    try:
        os.makedirs(os.path.join(tmp, "roots"))
        port = free_port()
        rules_path = os.path.join(tmp, "rules.yaml")
        policy_path = os.path.join(tmp, "policy.yaml")
        sock = os.path.join(tmp, "ingest.sock")
        with open(rules_path, "w") as f:
            f.write(GOOD_RULE)
        with open(policy_path, "w") as f:
            f.write(GOOD_POLICY)
        collectors = f"  - type: jsonl\n    name: ingest\n    source: unix_socket\n    path: {sock}\n"
        config_path = good_config(tmp, port, rules_path, policy_path, collectors)
        with open(config_path) as f:
            good_text = {config_path: f.read(), rules_path: GOOD_RULE, policy_path: GOOD_POLICY}
        err = open(os.path.join(tmp, "vigil.err"), "w")
        proc = subprocess.Popen([vigil, "run", "-c", config_path], stdout=subprocess.DEVNULL, stderr=err)
        if not eventually(lambda: os.path.exists(sock) and "vigil_alerts_total" in metrics(port)
                          or proc.poll() is not None, 60):
            return fail_with_log(["vigil did not start"], tmp)
        if proc.poll() is not None:
            return fail_with_log([f"vigil exited {proc.returncode} at start"], tmp)

        def alerts():
            return counter(metrics(port), "vigil_alerts_total") or 0

        def send_root_event():
            before = alerts()
            event = {"@timestamp": "2026-11-23T10:00:00Z", "event": {"dataset": "hostile.test"},
                     "user": {"name": "root"}}
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(sock)
                s.sendall((json.dumps(event) + "\n").encode())
            return eventually(lambda: alerts() > before, 30)

        if not send_root_event():
            return fail_with_log(["the good rule does not fire before any reload"], tmp)

        # A sample covering config, rules and policy files, FIFO and directory.
        by_name = {c.name(): c for c in corpus_cases()}
        sample = [by_name[n] for n in (
            "config/syntax_unclosed_flow.yaml", "config/wrong_type_capacity.yaml", "config/alias_bomb.yaml",
            "config/deep_nesting_flow.yaml", "config/nul_byte.yaml", "config/unknown_collector_type.yaml",
            "rules/alias_bomb.yaml", "rules/deep_nesting_flow.yaml", "rules/condition_syntax.yaml",
            "rules/invalid_utf8_id.yaml", "rules/utf16_bom.yaml", "policy/alias_bomb.yaml",
            "policy/bad_period.yaml", "policy/syntax_error.yaml")]
        special = os.path.join(tmp, "special")
        os.makedirs(special)
        os.mkfifo(os.path.join(special, "fifo"))
        os.mkdir(os.path.join(special, "dir"))
        for kind in ("config", "rules", "policy"):
            sample.append(Case(kind, os.path.join(special, "fifo"), None, False))
            sample.append(Case(kind, os.path.join(special, "dir"), None, False))
        target = {"config": config_path, "rules": rules_path, "policy": policy_path}
        for case in sample:
            m = metrics(port)
            refused = counter(m, "vigil_config_reloads_total", '{result="refused"}') or 0
            ok = counter(m, "vigil_config_reloads_total", '{result="success"}') or 0
            path = target[case.kind]
            replace_with(path, case)
            proc.send_signal(signal.SIGHUP)
            got = eventually(lambda: (counter(metrics(port), "vigil_config_reloads_total",
                                              '{result="refused"}') or 0) > refused or proc.poll() is not None, 60)
            label = f"SIGHUP with {case.name()}"
            if proc.poll() is not None:
                failures.append(f"{label}: vigil exited {proc.returncode}")
                break
            if not got:
                failures.append(f"{label}: no refused reload counted within 60 s (hung?)")
                break
            m = metrics(port)
            if (counter(m, "vigil_config_reloads_total", '{result="success"}') or 0) != ok:
                failures.append(f"{label}: counted as a successful reload")
            restore(path, good_text[path])
            if not send_root_event():
                failures.append(f"{label}: the old rule no longer fires")
            print(f"{'ok  ' if not failures else 'FAIL'} {label}: refused, old configuration in force")
        if not failures:
            # The reload path itself still works: a good new rule replaces the old one.
            with open(rules_path, "w") as f:
                f.write(GOOD_RULE.replace("hostile.root", "hostile.root2"))
            ok = counter(metrics(port), "vigil_config_reloads_total", '{result="success"}') or 0
            proc.send_signal(signal.SIGHUP)
            if not eventually(lambda: (counter(metrics(port), "vigil_config_reloads_total",
                                               '{result="success"}') or 0) > ok, 60):
                failures.append("a good reload after the hostile ones did not succeed")
            elif not send_root_event():
                failures.append("the reloaded rule does not fire")
            else:
                print("ok   SIGHUP with a good configuration afterwards: reloaded")
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                rc = proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = proc.wait()
            if rc != 0:
                failures.append(f"vigil exited {rc} on SIGTERM")
    log = open(os.path.join(tmp, "vigil.err"), errors="replace").read()
    if SANITIZER.search(log):
        failures.append("sanitizer or crash report in vigil's log")
    return fail_with_log(failures, tmp)


def fail_with_log(failures, tmp):
    if failures:
        try:
            print("vigil's log (end):\n" + open(os.path.join(tmp, "vigil.err"), errors="replace").read()[-3000:])
        except OSError:
            pass
    shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("FAIL: " + f)
    print("PASS" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    ap.add_argument("mode", choices=["check", "sighup"])
    a = ap.parse_args()
    if not os.access(a.vigil, os.X_OK):
        print(f"SKIP: {a.vigil} is not built")
        return 77
    return check_all(a.vigil) if a.mode == "check" else sighup_all(a.vigil)


if __name__ == "__main__":
    sys.exit(main())
