// The Linux audit log's event assembler (audit_assembler.h): records of one event joined
// by node, time and serial, interleaved events, the ends of an event (EOE, PROCTITLE, a
// record of another event, the timeout), eviction and bounds.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "audit_assembler.h"
#include "audit_record.h"
#include "audit_test_lines.h"

namespace vigil::access {
namespace {

using namespace testing_audit;  // NOLINT(google-build-using-namespace)

std::vector<std::string> Types(const AssembledAuditEvent& e) {
  std::vector<std::string> t;
  for (const auto& r : e.records) t.push_back(r.type);
  return t;
}

TEST(AuditAssembler, JoinsASyscallEventAtItsEoe) {
  Assembled a;
  Assemble(ExecEvent("1764000300.250:4400", false), &a, {}, false);
  ASSERT_EQ(a.events.size(), 1u);
  EXPECT_TRUE(a.events[0].complete);
  EXPECT_EQ(Types(a.events[0]),
            (std::vector<std::string>{"SYSCALL", "EXECVE", "CWD", "PATH", "PATH", "PROCTITLE"}));
  EXPECT_EQ(a.events[0].offset, 0u);
  EXPECT_NE(a.events[0].original.find("type=EOE"), std::string::npos);
  EXPECT_EQ(a.counters.incomplete.load(), 0u);
}

TEST(AuditAssembler, InterleavedSerialsAndSingleRecords) {
  const auto x = ExecEvent("1764000300.250:4400", false);
  const auto y = ExecEvent("1764000300.251:4402", false);
  std::vector<std::string> lines = {x[0], y[0], x[1], kSshdAuthFailed, y[1], x[2], x[3], y[2], y[3],
                                    y[4], x[4], x[5], y[5], y[6], kSudoCmd, x[6]};
  Assembled a;
  Assemble(lines, &a, {}, false);
  ASSERT_EQ(a.events.size(), 4u);
  // Single-record user messages come out at once; a kernel event at its EOE, or once its
  // PROCTITLE came, at the next record of another event: x at y's PROCTITLE, before y's EOE.
  EXPECT_EQ(a.events[0].records[0].type, "USER_AUTH");
  EXPECT_EQ(a.events[1].records[0].serial, 4400u);
  EXPECT_EQ(a.events[1].records.size(), 6u);
  EXPECT_EQ(a.events[1].offset, 0u);
  EXPECT_EQ(a.events[2].records[0].serial, 4402u);
  EXPECT_EQ(a.events[2].records.size(), 6u);
  EXPECT_NE(a.events[2].original.find("type=EOE"), std::string::npos);
  EXPECT_EQ(a.events[3].records[0].type, "USER_CMD");
  for (const auto& e : a.events) {
    EXPECT_TRUE(e.complete);
    for (const auto& r : e.records) EXPECT_EQ(r.serial, e.records[0].serial);
  }
  EXPECT_EQ(a.counters.incomplete.load(), 0u);
}

TEST(AuditAssembler, SameSerialOnAnotherNodeIsAnotherEvent) {
  auto x = ExecEvent("1764000300.250:4400", false);
  std::vector<std::string> lines;
  for (const auto& l : x) {  // the records of both, interleaved
    lines.push_back("node=a " + l);
    lines.push_back("node=b " + l);
  }
  Assembled a;
  Assemble(lines, &a, {}, false);
  ASSERT_EQ(a.events.size(), 2u);
  for (const auto& e : a.events) {
    EXPECT_EQ(e.records.size(), 6u);
    for (const auto& r : e.records) EXPECT_EQ(r.node, e.records[0].node);
  }
}

TEST(AuditAssembler, EventsWithoutEoeEndWhenAnotherEventArrives) {
  const std::string avc =
      "type=AVC msg=audit(1764000400.001:4500): avc:  denied  { read } for  pid=812 comm=\"httpd\" tclass=file";
  const std::string cfg =
      "type=CONFIG_CHANGE msg=audit(1764000400.002:4501): auid=1000 ses=7 op=add_rule key=\"x\" list=4 res=1";
  Assembled a;
  Assemble({avc, cfg}, &a, {}, false);
  ASSERT_EQ(a.events.size(), 1u);  // the AVC ended when the CONFIG_CHANGE came
  EXPECT_EQ(a.events[0].records[0].type, "AVC");
  EXPECT_TRUE(a.events[0].complete);
}

// auditd leaves EOE records out of its log file: there a kernel event ends after its
// PROCTITLE, the record the kernel writes last. Such an event is complete, emitted when a
// record of another event comes (here the next event's SYSCALL, and in the second log that
// SYSCALL comes before the first event's PROCTITLE, as records of events on two CPUs may).
TEST(AuditAssembler, KernelEventsOfALogFileEndAfterTheirProctitle) {
  auto x = ExecEvent("1764000300.250:4400", false);
  auto y = ExecEvent("1764000300.251:4402", false);
  x.pop_back();  // no EOE, as in /var/log/audit/audit.log
  y.pop_back();
  std::vector<std::string> lines = x;
  lines.insert(lines.end(), y.begin(), y.end());
  Assembled a;
  Assemble(lines, &a, {}, false);
  ASSERT_EQ(a.events.size(), 1u);  // x ended at y's SYSCALL; y waits for a later record
  EXPECT_EQ(a.events[0].records[0].serial, 4400u);
  EXPECT_EQ(a.events[0].records.size(), 6u);
  EXPECT_TRUE(a.events[0].complete);

  Assembled b;
  Assemble({x[0], x[1], x[2], x[3], x[4], y[0], x[5], y[1], y[2], y[3], y[4], y[5]}, &b);
  ASSERT_EQ(b.events.size(), 2u);
  for (const auto& e : b.events) {
    EXPECT_TRUE(e.complete);
    EXPECT_EQ(Types(e), (std::vector<std::string>{"SYSCALL", "EXECVE", "CWD", "PATH", "PATH", "PROCTITLE"}));
  }
  EXPECT_EQ(b.counters.incomplete.load(), 0u);

  // Following a file that went quiet, an ended event leaves at the next Expire, complete,
  // without waiting for the timeout; one without its PROCTITLE waits for it.
  std::vector<AssembledAuditEvent> out;
  AuditAssembler live({}, [&](AssembledAuditEvent&& e) { out.push_back(std::move(e)); return true; }, nullptr);
  const auto now = std::chrono::steady_clock::now();
  auto add = [&](const std::string& l) {
    AuditRecord r;
    ASSERT_TRUE(ParseAuditRecord(l, &r).ok());
    live.Add(std::move(r), l, 0, now);
  };
  for (const std::string& l : x) add(l);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(live.Expire(now));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].complete);
  add(y[0]);
  EXPECT_TRUE(live.Expire(now));
  EXPECT_EQ(out.size(), 1u);  // y has no PROCTITLE yet
  EXPECT_TRUE(live.Expire(now + std::chrono::seconds(3)));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[1].complete);
}

TEST(AuditAssembler, TimeoutByRecordTimeAndEviction) {
  // A SYSCALL whose EOE never comes is emitted, incomplete, once records 2 s later arrive.
  const auto x = ExecEvent("1764000300.250:4400", false);
  const auto late = ExecEvent("1764000302.251:4410", false);
  Assembled a;
  Assemble({x[0], x[1], late[0]}, &a, {}, false);
  ASSERT_EQ(a.events.size(), 1u);
  EXPECT_FALSE(a.events[0].complete);
  EXPECT_EQ(a.events[0].records.size(), 2u);
  EXPECT_EQ(a.counters.incomplete.load(), 1u);

  // At most max_pending events wait; the oldest is emitted first.
  AuditAssemblerOptions small;
  small.max_pending = 3;
  Assembled b;
  std::vector<std::string> lines;
  for (int i = 0; i < 10; ++i) lines.push_back(ExecEvent("1764000300.250:" + std::to_string(5000 + i), false)[0]);
  Assemble(lines, &b, small, false);
  ASSERT_EQ(b.events.size(), 7u);
  EXPECT_EQ(b.events[0].records[0].serial, 5000u);
  EXPECT_EQ(b.counters.evicted.load(), 7u);
  AuditAssembler held(small, [](AssembledAuditEvent&&) { return true; }, nullptr);
  EXPECT_EQ(held.HeldFrom(), UINT64_MAX);
}

TEST(AuditAssembler, HeldFromIsTheOldestPendingLine) {
  const auto x = ExecEvent("1764000300.250:4400", false);
  const auto y = ExecEvent("1764000300.251:4402", false);
  std::vector<AssembledAuditEvent> out;
  AuditAssembler a({}, [&](AssembledAuditEvent&& e) { out.push_back(std::move(e)); return true; }, nullptr);
  const auto now = std::chrono::steady_clock::now();
  auto add = [&](const std::string& l, uint64_t off) {
    AuditRecord r;
    ASSERT_TRUE(ParseAuditRecord(l, &r).ok());
    a.Add(std::move(r), l, off, now);
  };
  add(x[0], 100);
  add(y[0], 200);
  EXPECT_EQ(a.HeldFrom(), 100u);
  add(x[6], 300);  // x's EOE
  EXPECT_EQ(a.HeldFrom(), 200u);
  EXPECT_TRUE(a.Expire(now + std::chrono::seconds(3)));
  EXPECT_EQ(a.HeldFrom(), UINT64_MAX);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[1].complete);
}

TEST(AuditAssembler, BoundedRecordsPerEvent) {
  AuditAssemblerOptions o;
  o.max_records = 4;
  Assembled a;
  Assemble(ExecEvent("1764000300.250:4400", false), &a, o, false);
  ASSERT_EQ(a.events.size(), 1u);
  EXPECT_EQ(a.events[0].records.size(), 4u);
  EXPECT_EQ(a.counters.records_dropped.load(), 2u);
}

}  // namespace
}  // namespace vigil::access
