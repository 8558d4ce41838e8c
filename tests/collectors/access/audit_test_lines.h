// Audit log lines in auditd's format (raw and ENRICHED) and an assembler run over them,
// shared by the audit tests (audit_log_test.cc, audit_assembler_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "audit_assembler.h"
#include "audit_record.h"

namespace vigil::access::testing_audit {

// ENRICHED's separator.
inline const std::string GS = "\x1d";

inline const std::string kSshdAuthFailed =
    "type=USER_AUTH msg=audit(1764000000.123:4101): pid=23817 uid=0 auid=4294967295 ses=4294967295 "
    "subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 msg='op=PAM:authentication grantors=? acct=\"bob\" "
    "exe=\"/usr/sbin/sshd\" hostname=198.51.100.7 addr=198.51.100.7 terminal=ssh res=failed'";

inline const std::string kSudoCmd =
    "type=USER_CMD msg=audit(1764000100.500:4200): pid=30511 uid=1000 auid=1000 ses=7 "
    "subj=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023 msg='cwd=\"/home/alice\" "
    "cmd=73797374656D63746C2072657374617274206E67696E78 exe=\"/usr/bin/sudo\" terminal=pts/1 res=success'" +
    GS + "UID=\"alice\" AUID=\"alice\"";

inline const std::string kAddUser =
    "node=web01 type=ADD_USER msg=audit(1764000200.000:4300): pid=31002 uid=0 auid=1000 ses=7 "
    "subj=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023 msg='op=add-user id=1005 "
    "exe=\"/usr/sbin/useradd\" hostname=web01 addr=? terminal=pts/1 res=success'" +
    GS + "UID=\"root\" AUID=\"alice\" ID=\"mallory\"";

// cat /etc/shadow run by root after `sudo -i` from alice: SYSCALL, EXECVE, CWD, two PATH,
// PROCTITLE, EOE.
inline std::vector<std::string> ExecEvent(const std::string& stamp, bool enriched) {
  const std::string m = "msg=audit(" + stamp + "): ";
  std::string syscall =
      "type=SYSCALL " + m +
      "arch=c000003e syscall=59 success=yes exit=0 a0=55d0c3a4e2f0 a1=55d0c3a4e350 a2=55d0c3a4e390 a3=8 "
      "items=2 ppid=30600 pid=30611 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 "
      "tty=pts1 ses=7 comm=\"cat\" exe=\"/usr/bin/cat\" subj=unconfined_u:unconfined_r:unconfined_t:s0 "
      "key=\"shadow-read\"";
  if (enriched) {
    syscall += GS + "ARCH=x86_64 SYSCALL=execve AUID=\"alice\" UID=\"root\" GID=\"root\" EUID=\"root\" "
                    "SUID=\"root\" FSUID=\"root\" EGID=\"root\" SGID=\"root\" FSGID=\"root\"";
  }
  return {
      syscall,
      "type=EXECVE " + m + "argc=3 a0=\"cat\" a1=\"/etc/shadow\" a2=68656C6C6F20776F726C64",
      "type=CWD " + m + "cwd=2F746D702F6D7920646972",
      "type=PATH " + m + "item=0 name=\"/usr/bin/cat\" inode=1835 dev=fd:01 mode=0100755 ouid=0 ogid=0 "
                         "rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0",
      "type=PATH " + m + "item=1 name=\"/lib64/ld-linux-x86-64.so.2\" inode=2210 dev=fd:01 mode=0100755 "
                         "ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 "
                         "cap_frootid=0",
      "type=PROCTITLE " + m + "proctitle=636174002F6574632F736861646F77",
      "type=EOE " + m,
  };
}


struct Assembled {
  std::vector<AssembledAuditEvent> events;
  AuditAssemblerCounters counters;
};

// Feeds `lines` through a parser and an assembler, then flushes.
inline void Assemble(const std::vector<std::string>& lines, Assembled* out, AuditAssemblerOptions options = {},
              bool flush = true) {
  AuditAssembler a(
      options, [&](AssembledAuditEvent&& e) { out->events.push_back(std::move(e)); return true; },
      &out->counters);
  uint64_t offset = 0;
  const auto now = std::chrono::steady_clock::now();
  for (const std::string& l : lines) {
    AuditRecord r;
    ASSERT_TRUE(ParseAuditRecord(l, &r).ok()) << l;
    a.Add(std::move(r), l, offset, now);
    offset += l.size() + 1;
  }
  if (flush) a.Flush();
}

}  // namespace vigil::access::testing_audit
