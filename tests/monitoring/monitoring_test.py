#!/usr/bin/env python3
"""Tests of the monitoring assets in monitoring/: the Prometheus alert rules and the Grafana
dashboard. Run by ctest (tests/monitoring/CMakeLists.txt), one mode per ctest test:

  promtool  `promtool check rules` and `promtool test rules` on monitoring/prometheus/
  static    the dashboard's JSON model (ids, datasources, gridPos, targets, units) and every
            metric and label name in every dashboard and alert expression, checked against
            docs/metrics.md plus PENDING_METRICS below
  live      a real `vigil run` scraped by a real Prometheus (Debian's `prometheus`) that also
            loads the alert rules; every dashboard and alert expression is run through the HTTP
            API and must succeed, and those over metrics the daemon exports today must return
            series

Exit 77 (ctest SKIP_RETURN_CODE) only when prometheus or promtool is not installed; they are
in the Makefile's TEST_PKGS, so CI never skips.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

SKIP = 77

# Metrics other components add while this is written (names and labels final). The dashboard
# and the alert rules use them already: Prometheus answers an empty result until a running
# daemon exports them. A name here that also appears in docs/metrics.md is simply documented.
# Once its component is merged, remove it from this list: the live test then requires the
# daemon it starts to export it (configure that daemon so it does, or put the name in
# LIVE_ABSENT_OK with the reason; retention metrics need a retention collector). A name in
# neither docs/metrics.md nor this list is a typo.
PENDING_METRICS = {
}

# Documented metrics that the live test's daemon cannot export, with the reason.
LIVE_ABSENT_OK = {
    # Only a `retention` collector (a policy and a tree to scan) exports these.
    "vigil_retention_items",
    "vigil_retention_files_scanned_total",
    "vigil_retention_scan_errors_total",
    "vigil_retention_scan_duration_seconds",
    "vigil_retention_last_scan_timestamp_seconds",
    # Only a `capture` collector (a live interface, CAP_NET_RAW) has pcap_stats counters.
    "vigil_capture_packets_received_total",
    "vigil_capture_packets_dropped_total",
    "vigil_capture_interface_dropped_total",
}

# Series Prometheus makes itself for every target.
PROMETHEUS_SERIES = {"up": set(), "scrape_duration_seconds": set(), "scrape_samples_scraped": set()}
TARGET_LABELS = {"job", "instance"}

# Grafana variables and the values the live test puts in their place.
GRAFANA_VARS = {"__rate_interval": "1m", "__interval": "15s", "__range": "1h", "job": ".*",
                "instance": ".*"}

AGGREGATORS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
               "bottomk", "topk", "quantile"}
FUNCTIONS = AGGREGATORS | {
    "abs", "absent", "absent_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min",
    "day_of_month", "day_of_week", "day_of_year", "days_in_month", "delta", "deriv", "exp",
    "floor", "histogram_quantile", "holt_winters", "hour", "idelta", "increase", "irate",
    "label_join", "label_replace", "ln", "log10", "log2", "minute", "month", "predict_linear",
    "rate", "resets", "round", "scalar", "sgn", "sort", "sort_desc", "sqrt", "time", "timestamp",
    "vector", "year", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time",
    "count_over_time", "quantile_over_time", "stddev_over_time", "stdvar_over_time",
    "last_over_time", "present_over_time"}
GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "atan2"}

TOKEN = re.compile(r"""
    (?P<ws>\s+|\#[^\n]*)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<num>0x[0-9a-fA-F]+|(?:\d+(?:ms|s|m|h|d|w|y))+|\d*\.?\d+(?:[eE][+-]?\d+)?)
  | (?P<ident>[a-zA-Z_:][a-zA-Z0-9_:]*)
  | (?P<op>=~|!~|!=|==|<=|>=|[{}()\[\],=<>+\-*/%^@])
""", re.X)


class Failures:
    def __init__(self):
        self.items = []

    def add(self, msg):
        self.items.append(msg)
        print("FAIL:", msg, flush=True)

    def finish(self, what):
        if self.items:
            print(f"{len(self.items)} failure(s) in {what}")
            return 1
        print(f"{what}: OK")
        return 0


def substitute(expr):
    """Grafana's variables replaced by values Prometheus accepts; a $ left over is an error."""
    def repl(m):
        name = m.group(1) or m.group(2)
        if name not in GRAFANA_VARS:
            raise ValueError(f"unknown Grafana variable ${name}")
        return GRAFANA_VARS[name]
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", repl, expr)


def tokens(expr):
    pos, out = 0, []
    while pos < len(expr):
        m = TOKEN.match(expr, pos)
        if not m:
            raise ValueError(f"cannot read {expr[pos:pos + 20]!r}")
        pos = m.end()
        if m.lastgroup != "ws":
            out.append((m.lastgroup, m.group()))
    return out


def analyse(expr):
    """(metric names, [(metric, label) used in its selector], grouping labels, functions)."""
    toks = tokens(expr)
    metrics, selector_labels, grouping, functions = [], [], set(), set()
    i = 0
    while i < len(toks):
        kind, text = toks[i]
        nxt = toks[i + 1][1] if i + 1 < len(toks) else None
        if text == "[":  # a range or subquery: durations only
            while i < len(toks) and toks[i][1] != "]":
                i += 1
        elif kind == "ident" and text in GROUPING:
            if nxt == "(":
                i += 2
                while toks[i][1] != ")":
                    if toks[i][0] == "ident":
                        grouping.add(toks[i][1])
                    i += 1
        elif kind == "ident" and text in KEYWORDS:
            pass
        elif kind == "ident" and (nxt == "(" or text in AGGREGATORS):
            functions.add(text)
        elif kind == "ident" or text == "{":
            metric = None
            if kind == "ident":
                metric = text
                metrics.append(text)
            if (text == "{") or nxt == "{":
                if text != "{":
                    i += 1
                i += 1
                while toks[i][1] != "}":
                    if toks[i][0] == "ident":
                        selector_labels.append((metric, toks[i][1]))
                    i += 1
        i += 1
    return metrics, selector_labels, grouping, functions


def documented_metrics(docs_path):
    """{name: (type, labels)} from docs/metrics.md plus PENDING_METRICS."""
    known = {}
    text = open(docs_path, encoding="utf-8").read()
    for line in text.splitlines():
        m = re.match(r"\|\s*`((?:vigil|process)_[a-z0-9_]+)`\s*\|\s*(\w+)\s*\|([^|]*)\|", line)
        if m:
            cell = re.sub(r"\([^)]*\)", "", m.group(3))
            labels, enumerating = set(), False
            for seg in cell.split(","):
                names = re.findall(r"`([^`]+)`", seg)
                if "=" in seg and names:
                    labels.add(names[0])
                    enumerating = True
                elif names and not enumerating:
                    labels.add(names[0])
            known[m.group(1)] = (m.group(2), labels)
    for name in re.findall(r"`((?:vigil|process)_[a-z0-9_]+)`", text):
        known.setdefault(name, ("untyped", set()))
    for name, (kind, labels) in PENDING_METRICS.items():
        if name in known:
            known[name] = (known[name][0], known[name][1] | labels)
        else:
            known[name] = (kind, labels)
    return known


def resolve(name, known):
    """(documented base name, extra labels) for a series name, or None if unknown."""
    if name in known:
        return name, set()
    if name in PROMETHEUS_SERIES:
        return name, set()
    for suffix, extra in (("_bucket", {"le"}), ("_sum", set()), ("_count", set())):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and known.get(base, ("",))[0] == "histogram":
            return base, extra
    return None


def load_yaml(path):
    try:
        import yaml
    except ImportError:
        sys.exit("python3-yaml is missing (it is in the Makefile's TEST_PKGS)")
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def alert_rules(repo):
    doc = load_yaml(os.path.join(repo, "monitoring/prometheus/vigil-alerts.yml"))
    return [r for g in doc["groups"] for r in g["rules"]]


def walk_panels(panels):
    for p in panels:
        yield p
        yield from walk_panels(p.get("panels", []))


def dashboard(repo):
    with open(os.path.join(repo, "monitoring/grafana/vigil-dashboard.json"), encoding="utf-8") as f:
        return json.load(f)


def dashboard_exprs(dash):
    """[(where, expr)] for every panel target and every query variable."""
    out = []
    for p in walk_panels(dash["panels"]):
        for t in p.get("targets", []):
            out.append((f"panel {p.get('id')} {p.get('title')!r} {t.get('refId')}", t.get("expr", "")))
    for v in dash["templating"]["list"]:
        if v["type"] == "query":
            q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
            m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\s*\)\s*", q)
            out.append((f"variable {v['name']}", m.group(1) if m else q))
    return out


def all_exprs(repo):
    """[(where, PromQL)]: the dashboard's with Grafana's variables substituted, the alerts'."""
    exprs = [(where, substitute(e)) for where, e in dashboard_exprs(dashboard(repo))]
    exprs += [(f"alert {r['alert']}", r["expr"]) for r in alert_rules(repo)]
    return exprs


# ------------------------------------------------------------------------------------ promtool
def run_promtool(repo):
    if not shutil.which("promtool"):
        print("SKIP: promtool is not installed (Debian package prometheus)")
        return SKIP
    fails = Failures()
    d = os.path.join(repo, "monitoring/prometheus")
    for args in (["check", "rules", "vigil-alerts.yml"], ["test", "rules", "vigil-alerts.test.yml"]):
        r = subprocess.run(["promtool"] + args, cwd=d, capture_output=True, text=True)
        print(r.stdout + r.stderr)
        if r.returncode != 0:
            fails.add(f"promtool {' '.join(args)} exited {r.returncode}")
    # Every rule has a unit test where it fires (an exp_alerts entry that is not empty).
    tests = load_yaml(os.path.join(d, "vigil-alerts.test.yml"))
    fired = {t["alertname"] for case in tests["tests"] for t in case.get("alert_rule_test", [])
             if t.get("exp_alerts")}
    silent = {t["alertname"] for case in tests["tests"] for t in case.get("alert_rule_test", [])
              if not t.get("exp_alerts")}
    for rule in alert_rules(repo):
        for have, what in ((fired, "fires"), (silent, "stays silent")):
            if rule["alert"] not in have:
                fails.add(f"alert {rule['alert']} has no unit test where it {what}")
    return fails.finish("promtool")


# ------------------------------------------------------------------------------------ static
def run_static(repo):
    fails = Failures()
    known = documented_metrics(os.path.join(repo, "docs/metrics.md"))
    dash = dashboard(repo)

    for key in ("uid", "title", "schemaVersion", "panels", "templating"):
        if key not in dash:
            fails.add(f"dashboard has no {key}")
    if "__inputs" in dash:
        fails.add("dashboard has __inputs: use the DS_PROMETHEUS datasource variable instead")
    variables = {v["name"]: v for v in dash["templating"]["list"]}
    ds_var = variables.get("DS_PROMETHEUS", {})
    if ds_var.get("type") != "datasource" or ds_var.get("query") != "prometheus":
        fails.add("no datasource variable DS_PROMETHEUS of type prometheus")
    if "instance" not in variables:
        fails.add("no instance variable")
    for v in variables.values():
        if v["type"] == "query" and v.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}":
            fails.add(f"variable {v['name']} does not use ${{DS_PROMETHEUS}}")

    ids = set()
    rows = [p["title"] for p in dash["panels"] if p["type"] == "row"]
    for title in ("Overview", "Collectors", "Pipeline & rules", "Network", "Files",
                  "Alert handling", "Audit & store", "Outputs", "Retention", "Health events",
                  "Process", "Compliance"):
        if title not in rows:
            fails.add(f"dashboard has no row {title!r}")
    for p in walk_panels(dash["panels"]):
        where = f"panel {p.get('id')} {p.get('title')!r}"
        if not isinstance(p.get("id"), int) or p["id"] in ids:
            fails.add(f"{where}: id missing or not unique")
        ids.add(p.get("id"))
        g = p.get("gridPos", {})
        if not all(isinstance(g.get(k), int) for k in ("h", "w", "x", "y")):
            fails.add(f"{where}: gridPos incomplete: {g}")
        elif g["x"] < 0 or g["w"] < 1 or g["x"] + g["w"] > 24 or g["h"] < 1:
            fails.add(f"{where}: gridPos outside the 24-column grid: {g}")
        if not p.get("title"):
            fails.add(f"{where}: no title")
        if p["type"] == "row":
            continue
        if p.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}":
            fails.add(f"{where}: datasource is not ${{DS_PROMETHEUS}}")
        if not p.get("fieldConfig", {}).get("defaults", {}).get("unit"):
            fails.add(f"{where}: no unit")
        targets = p.get("targets") or []
        if not targets:
            fails.add(f"{where}: no targets")
        refs = [t.get("refId") for t in targets]
        if len(set(refs)) != len(refs) or None in refs:
            fails.add(f"{where}: refIds missing or repeated: {refs}")
        for t in targets:
            if not t.get("expr"):
                fails.add(f"{where}: a target without expr")
            if t.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}":
                fails.add(f"{where}: target {t.get('refId')} datasource is not ${{DS_PROMETHEUS}}")
            if "legendFormat" not in t:
                fails.add(f"{where}: target {t.get('refId')} has no legendFormat")
            if "[5m]" in t.get("expr", "") or re.search(r"\[\d+[smh]\]", t.get("expr", "")):
                fails.add(f"{where}: fixed range in a panel: use $__rate_interval or $__range")
    # Panels between two rows do not overlap.
    placed = []
    for p in walk_panels(dash["panels"]):
        g = p.get("gridPos", {})
        for q, h in placed:
            if (g["x"] < h["x"] + h["w"] and h["x"] < g["x"] + g["w"] and
                    g["y"] < h["y"] + h["h"] and h["y"] < g["y"] + g["h"]):
                fails.add(f"panels {q} and {p['id']} overlap")
        placed.append((p["id"], g))

    rules = alert_rules(repo)
    names = [r["alert"] for r in rules]
    if len(set(names)) != len(names):
        fails.add("alert names repeat")
    for r in rules:
        where = f"alert {r['alert']}"
        if "for" not in r:
            fails.add(f"{where}: no for:")
        if r.get("labels", {}).get("severity") not in ("critical", "warning", "info"):
            fails.add(f"{where}: severity label is not critical, warning or info")
        ann = r.get("annotations", {})
        if not ann.get("summary") or "Runbook:" not in ann.get("description", ""):
            fails.add(f"{where}: needs a summary and a description with a 'Runbook:' sentence")

    used = set()
    try:
        exprs = all_exprs(repo)
    except ValueError as e:
        fails.add(str(e))
        exprs = []
    for where, expr in exprs:
        try:
            metrics, selector_labels, grouping, functions = analyse(expr)
        except (ValueError, IndexError) as e:
            fails.add(f"{where}: cannot read {expr!r}: {e}")
            continue
        if not metrics:
            fails.add(f"{where}: no metric in {expr!r}")
        allowed = set(TARGET_LABELS)
        for name in metrics:
            base = resolve(name, known)
            if base is None:
                fails.add(f"{where}: metric {name} is neither in docs/metrics.md nor in "
                          f"PENDING_METRICS (a typo?)")
                continue
            used.add(base[0])
            allowed |= known.get(base[0], ("", set()))[1] | base[1]
        for name, label in selector_labels:
            base = resolve(name, known) if name else None
            labels = (known.get(base[0], ("", set()))[1] | base[1] | TARGET_LABELS) if base else allowed
            if label != "__name__" and label not in labels:
                fails.add(f"{where}: {name} has no label {label!r}")
        for label in grouping - allowed:
            fails.add(f"{where}: grouping by {label!r}, a label none of its metrics has")
        for f in functions - FUNCTIONS:
            fails.add(f"{where}: unknown function {f}")
        if where.startswith("panel"):
            for name in metrics:
                if (name, "instance") not in selector_labels:
                    fails.add(f"{where}: {name} is not filtered by the instance variable")
    print(f"{len(used)} metric names used, all documented or pending")
    return fails.finish("static checks")


# ------------------------------------------------------------------------------------ live
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port, path, timeout=5):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.read().decode()
    except Exception as e:  # connection refused while starting, HTTP errors with a body
        body = getattr(e, "read", lambda: b"")()
        return body.decode() if body else ""


def query(port, expr):
    body = http_get(port, "/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
    try:
        return json.loads(body)
    except ValueError:
        return {"status": "no answer", "error": body[:200]}


def eventually(pred, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.25)
    return pred()


def live_metric_names(exposition):
    names = set()
    for line in exposition.splitlines():
        if line and not line.startswith("#"):
            names.add(re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group())
    return names


RULES_YAML = """- rule: test.failure
  name: A failure
  severity: medium
  condition: event.outcome = failure
  controls: {pci_dss_4: ["8.3.4"]}
- rule: test.never
  name: Never fires
  severity: critical
  condition: message = "no such message"
  suppress: {window: 10m}
- rule: test.burst
  name: Many failures
  severity: high
  condition: event.outcome = failure
  correlate: {type: event_count, group_by: [source.ip], timespan: 60s, condition: {gte: 10}}
"""


def run_live(repo, vigil, shared):
    for prog in ("prometheus", "promtool"):
        if not shutil.which(prog):
            print(f"SKIP: {prog} is not installed (Debian package prometheus)")
            return SKIP
    fails = Failures()
    procs = []
    tmp = tempfile.mkdtemp(prefix="vigil-monitoring-")
    try:
        live_checks(fails, procs, tmp, repo, vigil, shared)
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if procs and procs[0].returncode != 0:
            print("vigil's log:\n" + open(f"{tmp}/vigil.err").read()[-3000:])
            fails.add(f"vigil did not stop cleanly (exit {procs[0].returncode})")
        shutil.rmtree(tmp, ignore_errors=True)
    return fails.finish("live checks")


def live_checks(fails, procs, tmp, repo, vigil, shared):
    known = documented_metrics(os.path.join(repo, "docs/metrics.md"))
    port = free_port()
    with open(f"{tmp}/rules.yaml", "w") as f:
        f.write(RULES_YAML)
    with open(f"{tmp}/events.jsonl", "w") as f:
        f.write('{"event":{"outcome":"failure"}}\nbroken\n')
    with open(f"{tmp}/auth.log", "w") as f:
        f.write("Nov 23 06:00:00 host sshd[1]: Failed password for root from 192.0.2.1 "
                "port 22 ssh2\n")
    pcap = os.path.join(shared, "corpora/pcap/ndpi-4.2/dns_long_domainname.pcap")
    config = (f"state_dir: {tmp}/state\nmetrics:\n  listen: 127.0.0.1:{port}\n"
              f"rules:\n  paths: [{tmp}/rules.yaml]\n"
              "audit_log:\n  checkpoint_interval: 1s\n"
              "collectors:\n"
              f"  - type: jsonl\n    name: app\n    path: {tmp}/events.jsonl\n"
              "    start_at: beginning\n"
              f"  - type: auth_log\n    name: auth\n    path: {tmp}/auth.log\n"
              "    start_at: beginning\n")
    if os.path.exists(pcap):
        config += f"  - type: pcap\n    name: capfile\n    path: {pcap}\n"
    else:
        fails.add(f"shared capture {pcap} is missing")
    with open(f"{tmp}/vigil.yaml", "w") as f:
        f.write(config)
    vigil_err = open(f"{tmp}/vigil.err", "w")
    procs.append(subprocess.Popen([vigil, "run", "-c", f"{tmp}/vigil.yaml"],
                                  stdout=subprocess.DEVNULL, stderr=vigil_err))
    if not eventually(lambda: http_get(port, "/healthz") == "ok\n", 20):
        fails.add("vigil did not start: " + open(f"{tmp}/vigil.err").read())
        return
    # Wait for the alert the event raises to reach the store's gauges (read every 15 s).
    exposition = ""

    def alert_stored():
        nonlocal exposition
        exposition = http_get(port, "/metrics")
        return re.search(r'^vigil_alerts_open\{severity="medium"\} [1-9]', exposition, re.M)
    if not eventually(alert_stored, 40):
        fails.add("the test alert never reached vigil_alerts_open")
    live = live_metric_names(exposition)

    prom_port = free_port()
    rules_file = os.path.join(repo, "monitoring/prometheus/vigil-alerts.yml")
    with open(f"{tmp}/prometheus.yml", "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                f"rule_files: ['{rules_file}']\n"
                "scrape_configs:\n  - job_name: vigil\n    static_configs:\n"
                f"      - targets: ['127.0.0.1:{port}']\n")
    prom_err = open(f"{tmp}/prometheus.err", "w")
    procs.append(subprocess.Popen(
        ["prometheus", f"--config.file={tmp}/prometheus.yml", f"--storage.tsdb.path={tmp}/tsdb",
         f"--web.listen-address=127.0.0.1:{prom_port}"],
        stdout=subprocess.DEVNULL, stderr=prom_err))
    # Rates need two samples in their window; wait for them.
    if not eventually(lambda: query(prom_port, "rate(vigil_collector_events_total[1m])")
                      .get("data", {}).get("result"), 60):
        fails.add("Prometheus never had two scrapes of vigil: " +
                  open(f"{tmp}/prometheus.err").read()[-2000:])
        return

    checked = 0
    for where, sub in all_exprs(repo):
        metrics = analyse(sub)[0]
        present = all(m in live or m in PROMETHEUS_SERIES for m in metrics)
        for m in metrics:
            base = resolve(m, known)
            if (base and base[0] not in PENDING_METRICS and base[0] not in LIVE_ABSENT_OK and
                    base[0] not in PROMETHEUS_SERIES and m not in live):
                fails.add(f"{where}: documented metric {m} is not in the daemon's /metrics")
        answer = query(prom_port, sub)
        checked += 1
        if answer.get("status") != "success":
            fails.add(f"{where}: Prometheus refused {sub!r}: {answer.get('error')}")
        elif present and where.startswith(("panel", "variable")) and \
                not answer["data"]["result"]:
            fails.add(f"{where}: no series for {sub!r} although its metrics are exported")
    print(f"{checked} expressions answered by Prometheus")

    # Prometheus loaded every alert rule and evaluates each without error.
    expected = {r["alert"] for r in alert_rules(repo)}
    state = {}

    def all_evaluated():
        nonlocal state
        body = json.loads(http_get(prom_port, "/api/v1/rules") or "{}")
        state = {r["name"]: r for g in body.get("data", {}).get("groups", [])
                 for r in g["rules"]}
        return set(state) >= expected and all(state[n]["health"] != "unknown" for n in expected)
    if not eventually(all_evaluated, 30):
        fails.add(f"Prometheus did not load and evaluate every rule: {sorted(expected - set(state))}")
    for name in sorted(expected & set(state)):
        if state[name]["health"] != "ok":
            fails.add(f"alert {name}: {state[name]['health']} {state[name].get('lastError')}")

    # The capture file's collector stops once the file is read: VigilCollectorDown sees it
    # on the real series (pending: its for: is 5 minutes).
    if os.path.exists(pcap):
        def collector_down_pending():
            body = json.loads(http_get(prom_port, "/api/v1/alerts") or "{}")
            return any(a["labels"].get("alertname") == "VigilCollectorDown" and
                       a["labels"].get("collector") == "capfile"
                       for a in body.get("data", {}).get("alerts", []))
        if not eventually(collector_down_pending, 30):
            fails.add("VigilCollectorDown never became pending for the stopped collector")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["promtool", "static", "live"])
    ap.add_argument("--repo", required=True, help="the repository root")
    ap.add_argument("--vigil", help="the vigil binary (live)")
    ap.add_argument("--shared", help="the shared directory beside the repository (live)")
    a = ap.parse_args()
    a.repo = os.path.abspath(a.repo)
    if a.mode == "promtool":
        return run_promtool(a.repo)
    if a.mode == "static":
        return run_static(a.repo)
    return run_live(a.repo, a.vigil, a.shared)


if __name__ == "__main__":
    sys.exit(main())
