"""Helpers shared by the Python tests that run the real vigil binary (tests/soak/*.py,
tests/integration/*.py): a free loopback port, one scrape of /metrics, waiting for a
condition, and reading alerts (JSON lines with ECS objects nested)."""
import json
import socket
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def metrics(port):
    """The text of http://127.0.0.1:PORT/metrics, or "" when it does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
            return r.read().decode()
    except OSError:
        return ""


def eventually(pred, seconds, step=0.05):
    """Polls pred every `step` seconds until it is true or `seconds` pass; its last result."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


def read_jsonl(path):
    """The objects of a JSON-lines file; [] when it does not exist yet."""
    try:
        with open(path) as f:
            return [json.loads(l) for l in f if l.strip()]
    except FileNotFoundError:
        return []


def get(obj, dotted):
    """The value at a dotted ECS name (`source.ip`) in a nested object, or None."""
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def verdict(failures):
    """Prints each failure and the verdict; the exit code (0 pass, 1 fail)."""
    for f in failures:
        print("FAIL: " + f)
    print("PASS" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0
