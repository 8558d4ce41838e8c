// Tests for daemon/src/audit_monitor.{h,cc} and audit_snapshot.{h,cc}: the daemon's own
// verification of its audit log. A clean log passes silently; an edit raises one
// audit_verify_failed health event (component audit_log, the problem as its message), not
// one per run, and another when the problem changes; a repaired log passes again. A writer
// appending (and replacing the exported checkpoint) while the monitor verifies never makes
// it report a problem that is not there: the snapshot is taken under the log's lock. The
// periodic thread runs at the configured interval and stops.
#include "audit_monitor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "audit_log_fixture.h"
#include "support/sample_writer.h"
#include "vigil/ecs_fields.h"

namespace vigil::audit {
namespace {

using namespace vigil::audit::test;  // NOLINT(google-build-using-namespace): the fixture's helpers
using vigil::testing::SampleWriter;

class AuditMonitorTest : public AuditLogTest {
 protected:
  std::unique_ptr<AuditMonitor> Monitor(std::chrono::nanoseconds interval = std::chrono::hours(1)) {
    static const HealthFields fields = *DeclareHealthFields(FieldRegistry::Global());
    AuditMonitorOptions o;
    o.paths = {.log = LogPath(), .store = "", .public_key = KeyPath() + ".pub"};
    o.interval = interval;
    o.first_delay = std::chrono::milliseconds(0);
    o.host_name = "ledger-01";
    return std::make_unique<AuditMonitor>(o, fields, [this](Event&& e) {
      std::lock_guard lock(mu_);
      events_.push_back(std::move(e));
    });
  }
  size_t EventCount() {
    std::lock_guard lock(mu_);
    return events_.size();
  }
  double Sample(const AuditMonitor& m, const std::string& key) const {
    SampleWriter w;
    m.WriteMetrics(w);
    return w.Get(key);
  }

  std::mutex mu_;
  std::vector<Event> events_;
};

TEST_F(AuditMonitorTest, CleanLogPassesAndRaisesNothing) {
  BuildStandardLog();
  auto m = Monitor();
  auto r = m->RunOnce();
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.records, 17u);
  EXPECT_EQ(r.checkpoints, 2u);  // signatures were checked with the .pub key
  EXPECT_EQ(EventCount(), 0u);
  EXPECT_EQ(Sample(*m, "vigil_audit_verify_runs_total{result=passed}"), 1);
  EXPECT_EQ(Sample(*m, "vigil_audit_verify_runs_total{result=failed}"), 0);
  EXPECT_EQ(Sample(*m, "vigil_audit_verify_failing{}"), 0);
  EXPECT_EQ(Sample(*m, "vigil_audit_verify_records{}"), 17);
  EXPECT_GT(Sample(*m, "vigil_audit_verify_last_run_timestamp_seconds{}"), 1.7e9);
}

TEST_F(AuditMonitorTest, AnEditRaisesOneEventUntilTheProblemChanges) {
  BuildStandardLog();
  const std::vector<std::string> clean = lines_;
  auto m = Monitor();
  lines_[9][lines_[9].find("hello")] = 'j';  // record 10
  WriteLines(LogPath(), lines_);
  EXPECT_FALSE(m->RunOnce().ok);
  ASSERT_EQ(EventCount(), 1u);
  {
    std::lock_guard lock(mu_);
    const Event& e = events_[0];
    ASSERT_NE(e.GetString(ecs::kEventAction), nullptr);
    EXPECT_EQ(*e.GetString(ecs::kEventAction), "audit_verify_failed");
    EXPECT_EQ(*e.GetString(ecs::kEventDataset), "vigil.health");
    const std::string* message = e.GetString(ecs::kMessage);
    ASSERT_NE(message, nullptr);
    EXPECT_NE(message->find("record 10"), std::string::npos) << *message;
    EXPECT_NE(message->find(LogPath()), std::string::npos) << *message;
    const FieldId component = *FieldRegistry::Global().Find("vigil.health.component");
    ASSERT_NE(e.GetString(component), nullptr);
    EXPECT_EQ(*e.GetString(component), "audit_log");
  }
  // The same problem again: counted and shown, not raised again.
  EXPECT_FALSE(m->RunOnce().ok);
  EXPECT_EQ(EventCount(), 1u);
  EXPECT_EQ(Sample(*m, "vigil_audit_verify_runs_total{result=failed}"), 2);
  EXPECT_EQ(Sample(*m, "vigil_audit_verify_failing{}"), 1);
  // A different problem (an earlier record edited too) is raised.
  lines_[2][lines_[2].find("hello")] = 'j';  // record 3
  WriteLines(LogPath(), lines_);
  EXPECT_FALSE(m->RunOnce().ok);
  EXPECT_EQ(EventCount(), 2u);
  // Restored: passes, and a later edit is raised once more.
  WriteLines(LogPath(), clean);
  EXPECT_TRUE(m->RunOnce().ok);
  EXPECT_EQ(Sample(*m, "vigil_audit_verify_failing{}"), 0);
  lines_ = clean;
  lines_[9][lines_[9].find("hello")] = 'j';
  WriteLines(LogPath(), lines_);
  EXPECT_FALSE(m->RunOnce().ok);
  EXPECT_EQ(EventCount(), 3u);
}

TEST_F(AuditMonitorTest, TruncationAfterTheExportedCheckpointIsRaised) {
  BuildStandardLog();
  lines_.resize(10);  // the exported checkpoint signs 13 records
  WriteLines(LogPath(), lines_);
  auto m = Monitor();
  auto r = m->RunOnce();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.problem.find("truncated"), std::string::npos) << r.problem;
  EXPECT_EQ(EventCount(), 1u);
}

TEST_F(AuditMonitorTest, AMissingLogIsAFailureNotACrash) {
  auto m = Monitor();
  auto r = m->RunOnce();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.problem.find("snapshot"), std::string::npos) << r.problem;
  EXPECT_EQ(EventCount(), 1u);
}

// Checkpoints every 3 records, so checkpoint records are appended and the exported checkpoint
// file is replaced all the time, while the monitor verifies in a loop: no run may report a
// problem. (A regression test of the snapshot's consistency; the interleavings it meets
// depend on scheduling, so it cannot prove the lock is needed.)
TEST_F(AuditMonitorTest, AWriterAppendingMeanwhileNeverLooksLikeTampering) {
  auto log = MustOpen(Options(3, 0));
  ASSERT_NE(log, nullptr);
  Batch(*log, 1, 2, T(0));
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int b = 1; b <= 300; ++b) Batch(*log, b * 2 + 1, 2, T(b));
    done = true;
  });
  auto m = Monitor();
  int runs = 0;
  std::string problem;
  while (!done || runs < 3) {
    auto r = m->RunOnce();
    ++runs;
    if (!r.ok && problem.empty()) problem = r.problem;
  }
  writer.join();
  EXPECT_EQ(problem, "");
  EXPECT_EQ(EventCount(), 0u);
  EXPECT_GE(runs, 3);
  auto last = m->RunOnce();
  EXPECT_TRUE(last.ok) << last.problem;
  EXPECT_GT(last.checkpoints, 100u);
}

TEST_F(AuditMonitorTest, RunsEveryIntervalOnItsThreadAndStops) {
  BuildStandardLog();
  auto m = Monitor(std::chrono::milliseconds(20));
  m->Start();
  EXPECT_TRUE(vigil::testing::Eventually(
      [&] { return Sample(*m, "vigil_audit_verify_runs_total{result=passed}") >= 3; }));
  m->SetInterval(std::chrono::nanoseconds(0));  // off
  const double after_stop = Sample(*m, "vigil_audit_verify_runs_total{result=passed}");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(Sample(*m, "vigil_audit_verify_runs_total{result=passed}"), after_stop);
  m->SetInterval(std::chrono::milliseconds(20));  // on again
  EXPECT_TRUE(vigil::testing::Eventually(
      [&] { return Sample(*m, "vigil_audit_verify_runs_total{result=passed}") > after_stop; }));
  m->Stop();
  EXPECT_EQ(EventCount(), 0u);
}

}  // namespace
}  // namespace vigil::audit
