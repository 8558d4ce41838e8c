#!/usr/bin/env python3
"""Writes small valid audit logs to tests/fuzz/corpus/audit_verify/ as seeds for
audit_verify_fuzz.

An independent writer of the audit-log format (daemon/src/audit/audit_log.h): records
{"seq","prev","time","type","data"} in that order, prev = SHA-256 of the previous line,
checkpoint records carrying a C2SP signed note over "<origin>\\n<size>\\n<base64 RFC 9162
root>\\n", signed with the published golang.org/x/mod/sumdb/note test key "PeterNeumann"
(the key the fuzz target verifies with). Needs python3-cryptography.
"""
import base64
import hashlib
import json
import os
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
NAME = "PeterNeumann"
KEY_ID = bytes.fromhex("c74f20a3")
SEED = base64.b64decode(SKEY.split("+", 4)[4])[1:]
KEY = Ed25519PrivateKey.from_private_bytes(SEED)
ORIGIN = "seed/vigil/audit"


def mth(leaves):
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def dump(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Log:
    def __init__(self):
        self.lines = []

    def append(self, type_, data_json, second):
        prev = hashlib.sha256(self.lines[-1]).hexdigest() if self.lines else "0" * 64
        time = "2026-11-18T10:%02d:%02dZ" % (second // 60, second % 60)
        line = '{"seq":%d,"prev":"%s","time":"%s","type":%s,"data":%s}' % (
            len(self.lines) + 1, prev, time, json.dumps(type_), data_json)
        self.lines.append(line.encode())

    def checkpoint(self, second):
        size = len(self.lines)
        root = mth(self.lines)
        text = "%s\n%d\n%s\n" % (ORIGIN, size, base64.b64encode(root).decode())
        sig = KEY.sign(text.encode())
        note = text + "\n\u2014 " + NAME + " " + base64.b64encode(KEY_ID + sig).decode() + "\n"
        self.append("checkpoint", dump({"tree_size": size, "root": base64.b64encode(root).decode(), "note": note}), second)

    def bytes(self):
        return b"".join(l + b"\n" for l in self.lines)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "audit_verify")
    os.makedirs(out, exist_ok=True)

    a = Log()
    for i in range(1, 6):
        a.append("event", dump({"msg": "hello-%d" % i, "n": i}), i)
    a.checkpoint(6)
    a.append("event", dump({"msg": "after", "n": 7}), 7)
    a.append("event", dump({"msg": "after", "n": 8}), 8)

    b = Log()
    b.append("alert", dump({"alert_id": 1, "created": "2026-11-18T10:00:01Z", "host": "h", "rule": {"id": "r1", "name": "R"},
                            "severity": "high", "controls": {"pci_dss_4": ["10.2.1.4"]}, "output": "x",
                            "time": "2026-11-18T10:00:00Z", "count": 1, "first": "2026-11-18T10:00:00Z",
                            "last": "2026-11-18T10:00:00Z", "group": "", "alert": {"@timestamp": "2026-11-18T10:00:00Z"},
                            "evidence": [{"user": {"name": "alice"}}]}), 1)
    b.append("suppressed", dump({"alert_id": 1, "count": 3, "first": "2026-11-18T10:00:02Z", "last": "2026-11-18T10:00:09Z"}), 10)
    b.append("transition", dump({"alert_id": 1, "action": "ack", "actor": "alice", "from": "open", "to": "acknowledged",
                                 "detail": {}}), 20)
    b.checkpoint(21)
    b.append("repair", dump({"reason": "torn last line", "truncated_bytes": 17}), 30)
    b.checkpoint(31)

    c = Log()
    c.append("event", "{}", 0)
    c.checkpoint(1)

    for name, log in (("checkpointed-events.log", a), ("alert-lifecycle.log", b), ("one-record.log", c)):
        with open(os.path.join(out, name), "wb") as f:
            f.write(log.bytes())


if __name__ == "__main__":
    main()
