#!/usr/bin/env python3
"""Live capture on `lo` while real clients make real traffic (issue 5).

`vigil run` captures on the loopback interface (the `capture` collector, libpcap, a BPF
filter on this test's ports) while:

  - curl fetches https://vigil-test.example:P/ from a local `openssl s_server` that only
    speaks TLS 1.2, and from another that speaks TLS 1.3 (SNI set with --resolve);
  - dig asks a local dnsmasq (on 127.0.0.77:53: DNS is inspected on port 53) for
    vigil-test.example (A, answered 192.0.2.7 by dnsmasq's --address);
  - curl sends a GET with HTTP Basic authentication (a random password) to a local HTTP server
    that checks it.

Rules turn every network.tls, network.dns and network.http event into an alert (an alert
carries its event's fields); the test checks the fields of each, and that the password used
appears in no output: alerts, the alert store, the audit log, vigil's log, /metrics.

Needs root (a live capture needs CAP_NET_RAW); exit 77 with the reason otherwise, or when a
tool is missing (Debian packages curl, openssl, dnsmasq-base, bind9-dnsutils: TEST_PKGS).
Usage: live_capture_test.py --vigil PATH [--keep DIR]
"""
import argparse
import base64
import http.server
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from vigil_test import eventually, free_port, get, read_jsonl, verdict  # noqa: E402

SKIP = 77
HOST = "vigil-test.example"
ANSWER = "192.0.2.7"
DNS_ADDR = "127.0.0.77"
HTTP_USER = "vigiluser"

RULES = """- rule: test.tls
  name: TLS hello
  severity: info
  condition: event.dataset = network.tls
  output: "tls {event.action}"
- rule: test.dns
  name: DNS message
  severity: info
  condition: event.dataset = network.dns
  output: "dns {dns.question.name}"
- rule: test.http
  name: HTTP request
  severity: info
  condition: event.dataset = network.http
  output: "http {http.request.method}"
"""


class BasicAuthHandler(http.server.BaseHTTPRequestHandler):
    """Answers 200 to the right Basic credentials, 401 otherwise."""
    expected = ""

    def do_GET(self):  # noqa: N802 (the http.server interface)
        ok = self.headers.get("Authorization", "") == "Basic " + self.expected
        body = b"ok\n" if ok else b"no\n"
        self.send_response(200 if ok else 401)
        if not ok:
            self.send_header("WWW-Authenticate", 'Basic realm="vigil"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def listening(port, udp=False):
    if udp:
        return True
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def can_bind_udp(addr, port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind((addr, port))
            return True
        except OSError:
            return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vigil", required=True)
    ap.add_argument("--keep")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: a live capture needs root (CAP_NET_RAW)")
        return SKIP
    tools = {t: shutil.which(t) or f"/usr/sbin/{t}" for t in ("curl", "openssl", "dnsmasq", "dig")}
    missing = [k for k, v in tools.items() if not os.access(v, os.X_OK)]
    if missing:
        print(f"SKIP: missing {', '.join(missing)} (Debian packages curl, openssl, dnsmasq-base, "
              "bind9-dnsutils; the Makefile's TEST_PKGS)")
        return SKIP

    tmp = a.keep or tempfile.mkdtemp(prefix="vigil-live-")
    os.makedirs(tmp, exist_ok=True)
    procs = []
    failures = []
    httpd = None
    try:
        tls12, tls13, http_port, mport = (free_port() for _ in range(4))
        # DNS is inspected on port 53 only: dnsmasq gets its own loopback address, apart from
        # any local resolver (systemd-resolved listens on 127.0.0.53).
        dns_port = 53
        if not can_bind_udp(DNS_ADDR, dns_port):
            print(f"SKIP: {DNS_ADDR}:53 is taken")
            return SKIP
        subprocess.run([tools["openssl"], "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", f"/CN={HOST}", "-keyout", f"{tmp}/key.pem", "-out", f"{tmp}/cert.pem"],
                       check=True, capture_output=True)
        for port, flag in ((tls12, "-tls1_2"), (tls13, "-tls1_3")):
            procs.append(subprocess.Popen(
                [tools["openssl"], "s_server", "-accept", f"127.0.0.1:{port}", "-cert", f"{tmp}/cert.pem",
                 "-key", f"{tmp}/key.pem", flag, "-www", "-quiet"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(f"{tmp}/s_server.err", "a")))
        procs.append(subprocess.Popen(
            [tools["dnsmasq"], "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
             "--bind-interfaces", f"--listen-address={DNS_ADDR}", f"--port={dns_port}", "--user=root",
             f"--pid-file={tmp}/dnsmasq.pid", f"--address=/{HOST}/{ANSWER}"],
            stdout=subprocess.DEVNULL, stderr=open(f"{tmp}/dnsmasq.err", "w")))

        password = "pw-" + secrets.token_urlsafe(12)
        BasicAuthHandler.expected = base64.b64encode(f"{HTTP_USER}:{password}".encode()).decode()
        httpd = http.server.HTTPServer(("127.0.0.1", http_port), BasicAuthHandler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()

        if not all(eventually(lambda p=p: listening(p), 20) for p in (tls12, tls13)):
            failures.append("openssl s_server did not start: " + open(f"{tmp}/s_server.err").read())
            return 1

        alerts = os.path.join(tmp, "alerts.jsonl")
        with open(f"{tmp}/rules.yaml", "w") as f:
            f.write(RULES)
        bpf = " or ".join(f"port {p}" for p in (tls12, tls13, dns_port, http_port))
        with open(f"{tmp}/vigil.yaml", "w") as f:
            f.write(f"state_dir: {tmp}/state\nmetrics:\n  listen: 127.0.0.1:{mport}\n"
                    f"rules:\n  paths: [{tmp}/rules.yaml]\n"
                    f"collectors:\n  - type: capture\n    name: lo\n    interface: lo\n    bpf: '{bpf}'\n"
                    f"outputs:\n  - type: file\n    path: {alerts}\n")
        procs.append(subprocess.Popen([a.vigil, "run", "-c", f"{tmp}/vigil.yaml"],
                                      stdout=subprocess.DEVNULL, stderr=open(f"{tmp}/vigil.err", "w")))

        def dig(name):
            return subprocess.run([tools["dig"], "@" + DNS_ADDR, "-p", str(dns_port), "+tries=1", "+time=2",
                                   "+short", name, "A"], capture_output=True, text=True, timeout=30)

        def dns_alerts(name):
            return [j for j in read_jsonl(alerts)
                    if get(j, "rule.id") == "test.dns" and get(j, "dns.question.name") == name]

        # The capture is up once a query made now is seen: ask until one is (a distinct name each
        # time, so the check does not see an earlier one).
        up = False
        for i in range(60):
            probe = f"probe{i}.{HOST}"
            dig(probe)
            if eventually(lambda: dns_alerts(probe), 1):
                up = True
                break
        if not up:
            failures.append("no DNS event from the live capture: " + open(f"{tmp}/vigil.err").read()[-2000:])
            return 1

        # The traffic.
        r = dig(HOST)
        if r.stdout.strip() != ANSWER:
            failures.append(f"dig got {r.stdout.strip()!r} from dnsmasq, want {ANSWER}")
        for port, version in ((tls12, "1.2"), (tls13, "1.3")):
            r = subprocess.run([tools["curl"], "-sk", "--resolve", f"{HOST}:{port}:127.0.0.1",
                                "--tlsv1.2", "--tls-max", version, "-o", "/dev/null", "-w", "%{http_code}",
                                f"https://{HOST}:{port}/"], capture_output=True, text=True, timeout=30)
            if r.stdout != "200":
                failures.append(f"curl over TLS {version}: {r.stdout} {r.stderr.strip()}")
        r = subprocess.run([tools["curl"], "-s", "-u", f"{HTTP_USER}:{password}", "-A", "vigil-live-test/1.0",
                            "-o", "/dev/null", "-w", "%{http_code}", f"http://127.0.0.1:{http_port}/private/report.pdf?q=1"],
                           capture_output=True, text=True, timeout=30)
        if r.stdout != "200":
            failures.append(f"curl with Basic auth: {r.stdout} {r.stderr.strip()}")

        def by_rule(rule):
            return [j for j in read_jsonl(alerts) if get(j, "rule.id") == rule]

        def tls_seen():
            servers = {(get(j, "source.port"), get(j, "tls.version")) for j in by_rule("test.tls")
                       if get(j, "event.action") == "tls_server_hello"}
            return (tls12, "1.2") in servers and (tls13, "1.3") in servers

        def http_seen():
            return any(get(j, "destination.port") == http_port for j in by_rule("test.http"))

        eventually(lambda: dns_alerts(HOST) and tls_seen() and http_seen(), 30)

        # DNS: the query and dnsmasq's answer.
        dns = dns_alerts(HOST)
        queries = [j for j in dns if get(j, "event.action") == "dns_query"]
        answers = [j for j in dns if get(j, "event.action") == "dns_answer"]
        print(f"dns: {len(queries)} queries, {len(answers)} answers for {HOST}")
        if not queries or get(queries[0], "dns.question.type") != "A" or get(queries[0], "destination.port") != dns_port:
            failures.append(f"dns query events {queries}")
        if not answers or ANSWER not in (get(answers[0], "dns.answers.data") or []) \
                or get(answers[0], "dns.response_code") != "NOERROR":
            failures.append(f"dns answer events {answers}")

        # TLS: each client hello names the host; each server hello the negotiated version.
        tls = by_rule("test.tls")
        for port, version in ((tls12, "1.2"), (tls13, "1.3")):
            clients = [j for j in tls if get(j, "event.action") == "tls_client_hello"
                       and get(j, "destination.port") == port]
            servers = [j for j in tls if get(j, "event.action") == "tls_server_hello" and get(j, "source.port") == port]
            print(f"tls {version}: {len(clients)} client hellos (sni {[get(j, 'tls.client.server_name') for j in clients]}), "
                  f"{len(servers)} server hellos (version {[get(j, 'tls.version') for j in servers]}, "
                  f"cipher {[get(j, 'tls.cipher') for j in servers]})")
            if len(clients) != 1 or get(clients[0], "tls.client.server_name") != HOST \
                    or not get(clients[0], "tls.client.ja3") or not get(clients[0], "vigil.tls.ja4"):
                failures.append(f"TLS {version} client hello events: {clients}")
            if len(servers) != 1 or get(servers[0], "tls.version") != version \
                    or get(servers[0], "tls.version_protocol") != "tls" or not get(servers[0], "tls.cipher"):
                failures.append(f"TLS {version} server hello events: {servers}")
            elif version == "1.3" and not str(get(servers[0], "tls.cipher")).startswith("TLS_AES_") \
                    and not str(get(servers[0], "tls.cipher")).startswith("TLS_CHACHA20_"):
                failures.append(f"TLS 1.3 negotiated cipher {get(servers[0], 'tls.cipher')}")

        # HTTP: the request with its Basic user name, never the password.
        reqs = [j for j in by_rule("test.http") if get(j, "destination.port") == http_port]
        print(f"http: {[(get(j, 'http.request.method'), get(j, 'url.original'), get(j, 'user.name')) for j in reqs]}")
        if len(reqs) != 1:
            failures.append(f"{len(reqs)} HTTP request events, want 1: {reqs}")
        else:
            want = {"http.request.method": "GET", "url.original": "/private/report.pdf?q=1",
                    "user.name": HTTP_USER, "user_agent.original": "vigil-live-test/1.0",
                    "vigil.http.auth_scheme": "basic"}
            for k, v in want.items():
                got = get(reqs[0], k)
                if str(got).lower() != v.lower():
                    failures.append(f"http event {k} = {got!r}, want {v!r}")

        # Secrets: the password appears in no output.
        time.sleep(1.0)
        outputs = {"/metrics": urllib.request.urlopen(f"http://127.0.0.1:{mport}/metrics", timeout=10).read()}
        for root, _, files in os.walk(tmp):
            for name in files:
                path = os.path.join(root, name)
                rel = os.path.relpath(path, tmp)
                if rel.startswith("state/") or rel in ("alerts.jsonl", "vigil.err"):
                    with open(path, "rb") as f:
                        outputs[rel] = f.read()
        encoded = base64.b64encode(f"{HTTP_USER}:{password}".encode())
        leaks = [w for w, data in outputs.items() if password.encode() in data or encoded in data]
        print(f"secrets: the Basic password looked for (plain and base64) in {len(outputs)} outputs: "
              f"{len(leaks)} found")
        if leaks:
            failures.append(f"the password appears in: {sorted(leaks)}")
    finally:
        if httpd is not None:
            httpd.shutdown()
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if failures and os.path.exists(f"{tmp}/vigil.err"):
            print("vigil's log:\n" + open(f"{tmp}/vigil.err").read()[-3000:])
        if not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return verdict(failures)


if __name__ == "__main__":
    sys.exit(main())
