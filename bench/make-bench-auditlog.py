#!/usr/bin/env python3
"""Write a Linux audit log (audit.log, auditd's raw or ENRICHED format) for the audit-log
benchmark (bench/auditlog_bench.sh).

    bench/make-bench-auditlog.py LINES [-o FILE] [--format raw|enriched] [--seed N]

writes at least LINES lines (it stops at the end of an event).

../shared/bench has generators for the pcap, the auth.log and the file tree but none for audit
logs, so this one follows the same habits: deterministic for a seed, realistic in shape. The
mix is what a server with the usual audit rules (execve of every command, a watch on
/etc/shadow and friends, PAM through sshd/sudo/cron) writes:

- 55% of events: an execve of a command, kernel-generated and multi-record (SYSCALL, EXECVE
  with some arguments hex-encoded as auditd does for spaces and quotes, CWD, two PATH items,
  PROCTITLE in hex); as in a real audit.log there is no EOE record, so an event ends when its
  serial changes;
- 10%: an openat of a watched file (SYSCALL, CWD, PATH, PROCTITLE);
- 30%: user-space records, one line each: the PAM sequence of a login or a cron job
  (USER_AUTH, USER_ACCT, CRED_ACQ, USER_START, USER_END, CRED_DISP, USER_LOGIN), sudo's
  USER_CMD with its hex-encoded command, failures from scanning sources (unknown users, some
  hex-encoded `acct`);
- 5%: the rest: SERVICE_START/STOP, AVC denials, CONFIG_CHANGE, and account management
  (ADD_USER, ADD_GROUP, USER_CHAUTHTOK, DEL_USER).

In the ENRICHED format each record ends with a 0x1d separator and the names auditd resolves
(UID="root", AUID="bob", SYSCALL=execve, ...).
"""
import argparse
import random
import sys

USERS = ["root", "alice", "bob", "carol", "deploy", "backup", "www-data", "postgres"]
UIDS = {"root": 0, "alice": 1000, "bob": 1001, "carol": 1002, "deploy": 1003, "backup": 34,
        "www-data": 33, "postgres": 112}
BAD_USERS = ["admin", "test", "oracle", "ubuntu", "pi", "guest", "user", "support", "git",
             "ftpuser", "john smith", "o'brien"]
COMMANDS = [
    ("/usr/bin/ls", ["ls", "-la", "/var/log"]),
    ("/usr/bin/cat", ["cat", "/etc/hostname"]),
    ("/usr/bin/grep", ["grep", "-r", "error message", "/var/log/syslog"]),
    ("/usr/bin/systemctl", ["systemctl", "status", "nginx.service"]),
    ("/usr/bin/python3.11", ["python3", "/opt/app/manage.py", "migrate"]),
    ("/usr/bin/bash", ["bash", "-c", "echo \"hello\" > /tmp/x"]),
    ("/usr/bin/tar", ["tar", "czf", "/backup/db.tgz", "/var/lib/postgresql"]),
    ("/usr/bin/ssh", ["ssh", "-o", "BatchMode=yes", "deploy@10.0.0.5"]),
    ("/usr/sbin/cron", ["/usr/sbin/CRON", "-f"]),
    ("/usr/bin/find", ["find", "/srv", "-name", "*.tmp", "-delete"]),
]
WATCHED = ["/etc/shadow", "/etc/passwd", "/etc/sudoers", "/etc/ssh/sshd_config", "/etc/group"]
SYSCALL_NAMES = {59: "execve", 257: "openat"}


def hexs(text):
    return text.encode().hex().upper()


def value(text):
    """An audit field value as auditd writes it: quoted, or hex when it holds a space, a
    quote, a control character or non-ASCII."""
    if any(c in text for c in ' "\'') or any(ord(c) < 0x21 or ord(c) > 0x7e for c in text):
        return hexs(text)
    return '"' + text + '"'


class Writer:
    def __init__(self, out, enriched, rng):
        self.out = out
        self.enriched = enriched
        self.rng = rng
        self.lines = 0
        self.serial = 11000
        self.t = 1764000000.0

    def stamp(self):
        self.serial += 1
        self.t += self.rng.uniform(0.0005, 0.02)
        return "msg=audit(%.3f:%d):" % (self.t, self.serial)

    def write(self, rtype, stamp, body, names=None):
        line = "type=%s %s %s" % (rtype, stamp, body)
        if self.enriched and names:
            line += "\x1d" + " ".join('%s=%s' % (k, v) for k, v in names)
        self.out.write(line + "\n")
        self.lines += 1

    def ids(self, user):
        return "uid=%d gid=%d euid=%d suid=%d fsuid=%d egid=%d sgid=%d fsgid=%d" % (
            (UIDS[user],) * 8)

    def kernel_event(self, syscall, exe, argv, paths, key):
        user = self.rng.choice(USERS)
        auid_user = self.rng.choice(USERS[:5])
        auid = UIDS[auid_user]
        pid = self.rng.randint(1000, 400000)
        ses = self.rng.randint(1, 400)
        s = self.stamp()
        ids = self.ids(user)
        comm = argv[0].rsplit("/", 1)[-1][:15]
        self.write("SYSCALL", s,
                   "arch=c000003e syscall=%d success=yes exit=%d a0=%x a1=%x a2=%x a3=0 items=%d "
                   "ppid=%d pid=%d auid=%d %s tty=pts%d ses=%d comm=%s exe=%s "
                   "subj=unconfined key=%s" % (
                       syscall, 0 if syscall == 59 else 3, self.rng.getrandbits(44),
                       self.rng.getrandbits(44), self.rng.getrandbits(44), len(paths),
                       pid - 1, pid, auid, ids, self.rng.randint(0, 5), ses, value(comm),
                       value(exe), value(key)),
                   [("ARCH", "x86_64"), ("SYSCALL", SYSCALL_NAMES[syscall]),
                    ("AUID", '"%s"' % auid_user)] + [(k, '"%s"' % user) for k in
                                                    ("UID", "GID", "EUID", "SUID", "FSUID",
                                                     "EGID", "SGID", "FSGID")])
        if syscall == 59:
            args = " ".join("a%d=%s" % (i, value(a)) for i, a in enumerate(argv))
            self.write("EXECVE", s, "argc=%d %s" % (len(argv), args))
        self.write("CWD", s, "cwd=%s" % value(self.rng.choice(["/root", "/home/alice",
                                                              "/srv/app", "/tmp/my dir"])))
        for i, p in enumerate(paths):
            self.write("PATH", s,
                       "item=%d name=%s inode=%d dev=fd:01 mode=0100755 ouid=0 ogid=0 "
                       "rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 "
                       "cap_frootid=0" % (i, value(p), self.rng.randint(100, 9000000)),
                       [("OUID", '"root"'), ("OGID", '"root"')])
        self.write("PROCTITLE", s, "proctitle=%s" % "00".join(hexs(a) for a in argv))

    def user_record(self, rtype, user, auid, msg, pid=None):
        s = self.stamp()
        pid = pid or self.rng.randint(1000, 400000)
        self.write(rtype, s,
                   "pid=%d uid=0 auid=%d ses=%d subj=unconfined msg='%s'" % (
                       pid, auid, self.rng.randint(1, 400) if auid != 4294967295 else 4294967295,
                       msg),
                   [("UID", '"root"'),
                    ("AUID", '"%s"' % (user if auid != 4294967295 else "unset"))])

    def login(self):
        user = self.rng.choice(USERS[:5])
        addr = "10.%d.%d.%d" % (self.rng.randint(0, 255), self.rng.randint(0, 255),
                                self.rng.randint(1, 254))
        pid = self.rng.randint(1000, 400000)
        tail = 'exe="/usr/sbin/sshd" hostname=%s addr=%s terminal=ssh' % (addr, addr)
        ok = self.rng.random() < 0.8
        res = "success" if ok else "failed"
        self.user_record("USER_AUTH", user, 4294967295,
                         'op=PAM:authentication grantors=%s acct="%s" %s res=%s' % (
                             "pam_unix" if ok else "?", user, tail, res), pid)
        if not ok:
            return
        self.user_record("USER_ACCT", user, 4294967295,
                         'op=PAM:accounting grantors=pam_permit acct="%s" %s res=success' % (
                             user, tail), pid)
        self.user_record("CRED_ACQ", user, 4294967295,
                         'op=PAM:setcred grantors=pam_permit,pam_unix acct="%s" %s '
                         'res=success' % (user, tail), pid)
        self.user_record("USER_LOGIN", user, UIDS[user],
                         'op=login id=%d exe="/usr/sbin/sshd" hostname=? addr=%s '
                         'terminal=/dev/pts/%d res=success' % (
                             UIDS[user], addr, self.rng.randint(0, 9)), pid)
        self.user_record("USER_START", user, UIDS[user],
                         'op=PAM:session_open grantors=pam_keyinit,pam_limits,pam_unix '
                         'acct="%s" %s res=success' % (user, tail), pid)
        self.user_record("USER_END", user, UIDS[user],
                         'op=PAM:session_close grantors=pam_keyinit,pam_limits,pam_unix '
                         'acct="%s" %s res=success' % (user, tail), pid)
        self.user_record("CRED_DISP", user, UIDS[user],
                         'op=PAM:setcred grantors=pam_permit,pam_unix acct="%s" %s '
                         'res=success' % (user, tail), pid)

    def scan_failure(self):
        user = self.rng.choice(BAD_USERS)
        addr = "203.0.113.%d" % self.rng.randint(1, 254)
        self.user_record("USER_AUTH", user, 4294967295,
                         'op=PAM:authentication grantors=? acct=%s exe="/usr/sbin/sshd" '
                         'hostname=%s addr=%s terminal=ssh res=failed' % (
                             value(user), addr, addr))
        self.user_record("USER_LOGIN", user, 4294967295,
                         'op=login acct=%s exe="/usr/sbin/sshd" hostname=? addr=%s '
                         'terminal=ssh res=failed' % (value(user), addr))

    def sudo(self):
        user = self.rng.choice(USERS[1:5])
        exe, argv = self.rng.choice(COMMANDS)
        self.user_record("USER_CMD", user, UIDS[user],
                         'cwd="/home/%s" cmd=%s exe="/usr/bin/sudo" terminal=pts/%d '
                         'res=%s' % (user, hexs(" ".join(argv)), self.rng.randint(0, 9),
                                     "success" if self.rng.random() < 0.95 else "failed"))

    def other(self):
        r = self.rng.random()
        if r < 0.4:
            unit = self.rng.choice(["nginx", "cron", "systemd-tmpfiles-clean", "apt-daily"])
            for rtype in ("SERVICE_START", "SERVICE_STOP"):
                self.user_record(rtype, "root", 4294967295,
                                 'unit=%s comm="systemd" exe="/usr/lib/systemd/systemd" '
                                 'hostname=? addr=? terminal=? res=success' % unit, 1)
        elif r < 0.7:
            s = self.stamp()
            self.write("AVC", s,
                       'avc:  denied  { read } for  pid=%d comm="httpd" name="secret" '
                       'dev="vda1" ino=%d scontext=system_u:system_r:httpd_t:s0 '
                       'tcontext=unconfined_u:object_r:user_home_t:s0 tclass=file '
                       'permissive=0' % (self.rng.randint(1000, 400000),
                                         self.rng.randint(100, 9000000)))
        elif r < 0.85:
            s = self.stamp()
            self.write("CONFIG_CHANGE", s,
                       'auid=1000 ses=7 subj=unconfined op=add_rule key="shadow" list=4 res=1',
                       [("AUID", '"alice"')])
        else:
            n = self.rng.randint(2000, 60000)
            name = "svc%d" % n
            self.user_record("ADD_GROUP", "alice", 1000,
                             'op=add-group id=%d exe="/usr/sbin/groupadd" hostname=web01 '
                             'addr=? terminal=pts/0 res=success' % n)
            self.user_record("ADD_USER", "alice", 1000,
                             'op=add-user acct="%s" exe="/usr/sbin/useradd" hostname=web01 '
                             'addr=? terminal=pts/0 res=success' % name)
            self.user_record("USER_CHAUTHTOK", "alice", 1000,
                             'op=change password id=%d exe="/usr/bin/passwd" hostname=web01 '
                             'addr=? terminal=pts/0 res=success' % n)
            self.user_record("DEL_USER", "alice", 1000,
                             'op=delete-user id=%d exe="/usr/sbin/userdel" hostname=web01 '
                             'addr=? terminal=pts/0 res=success' % n)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("lines", type=int)
    ap.add_argument("-o", "--output", default="-")
    ap.add_argument("--format", choices=["raw", "enriched"], default="raw")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")
    rng = random.Random(args.seed)
    w = Writer(out, args.format == "enriched", rng)
    while w.lines < args.lines:
        r = rng.random()
        if r < 0.55:
            exe, argv = rng.choice(COMMANDS)
            w.kernel_event(59, exe, argv, [exe, "/lib64/ld-linux-x86-64.so.2"], "exec")
        elif r < 0.65:
            f = rng.choice(WATCHED)
            w.kernel_event(257, "/usr/bin/vim.basic", ["vim", f], [f], "identity")
        elif r < 0.80:
            w.login()
        elif r < 0.88:
            w.scan_failure()
        elif r < 0.95:
            w.sudo()
        else:
            w.other()
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
