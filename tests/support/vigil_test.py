"""Helpers shared by the Python tests that run the real vigil binary (tests/soak/*.py,
tests/integration/sshd_test.py): a free loopback port, one scrape of /metrics, and waiting
for a condition."""
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
