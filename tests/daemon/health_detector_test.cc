// HealthDetector with fake samples: drops that appear give one events_dropped event with the
// count of the interval; no change gives nothing; a collector that ends is down once and up
// once it runs again (a collector the daemon stopped is neither); capture loss, evictions and
// queue saturation; clock jumps both ways against a fixed monotonic clock.
#include "health_detector.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil {
namespace {

using namespace std::chrono_literals;

const HealthFields& Fields() {
  static const HealthFields fields = *DeclareHealthFields(FieldRegistry::Global());
  return fields;
}

HealthDetector MakeDetector() {
  HealthOptions o;
  o.host_name = "ledger-01";
  o.clock_jump_threshold = 2s;
  return HealthDetector(o, Fields());
}

// A sample `seconds` after a fixed start, both clocks moving together.
HealthSample At(int64_t seconds) {
  HealthSample s;
  s.wall = Timestamp(std::chrono::seconds(1'795'000'000 + seconds));
  s.monotonic = std::chrono::seconds(5000 + seconds);
  s.queue_capacity = 100;
  return s;
}

std::string Action(const Event& e) {
  const std::string* a = e.GetString(ecs::kEventAction);
  return a ? *a : "";
}

int64_t IntField(const Event& e, FieldId id) {
  const int64_t* v = e.GetInt(id);
  return v ? *v : -1;
}

TEST(HealthDetectorTest, NothingChangedGivesNothing) {
  HealthDetector d = MakeDetector();
  HealthSample s = At(0);
  s.collectors["auth"].events = 10;
  EXPECT_TRUE(d.Next(s).empty());
  s = At(10);
  s.collectors["auth"].events = 10;
  EXPECT_TRUE(d.Next(s).empty());
  s = At(20);
  s.collectors["auth"].events = 25;  // events without drops are not news
  EXPECT_TRUE(d.Next(s).empty());
}

TEST(HealthDetectorTest, DropsGiveOneEventWithTheIntervalsCount) {
  HealthDetector d = MakeDetector();
  HealthSample s = At(0);
  s.collectors["ingest"].events = 100;
  ASSERT_TRUE(d.Next(s).empty());

  s = At(10);
  s.collectors["ingest"].events = 130;
  s.collectors["ingest"].dropped = 70;
  std::vector<Event> out = d.Next(s);
  ASSERT_EQ(out.size(), 1u);
  const Event& e = out[0];
  EXPECT_EQ(Action(e), "events_dropped");
  EXPECT_EQ(*e.GetString(ecs::kEventDataset), "vigil.health");
  EXPECT_EQ(*e.GetString(ecs::kEventKind), "event");
  EXPECT_EQ(*e.GetString(ecs::kHostName), "ledger-01");
  EXPECT_EQ(*e.GetString(Fields().collector), "ingest");
  EXPECT_EQ(IntField(e, Fields().count), 70);
  EXPECT_EQ(IntField(e, Fields().total), 70);
  EXPECT_DOUBLE_EQ(std::get<double>(*e.Get(Fields().ratio)), 70.0 / 100.0);  // 70 of 30+70
  EXPECT_EQ(std::get<Duration>(*e.Get(Fields().interval)), Duration(10s));
  EXPECT_EQ(*e.GetTime(ecs::kTimestamp), s.wall);

  s = At(20);
  s.collectors["ingest"].events = 130;
  s.collectors["ingest"].dropped = 75;
  out = d.Next(s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(IntField(out[0], Fields().count), 5);
  EXPECT_EQ(IntField(out[0], Fields().total), 75);

  s = At(30);  // unchanged: nothing
  s.collectors["ingest"].events = 130;
  s.collectors["ingest"].dropped = 75;
  EXPECT_TRUE(d.Next(s).empty());
}

TEST(HealthDetectorTest, FirstSampleCountsFromTheStart) {
  HealthDetector d = MakeDetector();
  HealthSample s = At(0);
  s.collectors["ingest"].dropped = 3;
  s.collectors["ingest"].errors = 1;
  std::vector<Event> out = d.Next(s);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(Action(out[0]), "collector_error");
  EXPECT_EQ(IntField(out[0], Fields().count), 1);
  EXPECT_EQ(Action(out[1]), "events_dropped");
  EXPECT_EQ(IntField(out[1], Fields().count), 3);
  EXPECT_FALSE(out[1].Has(Fields().interval));  // no previous sample
}

TEST(HealthDetectorTest, CounterGoingBackwardsIsANewBaseline) {
  HealthDetector d = MakeDetector();
  HealthSample s = At(0);
  s.collectors["a"].dropped = 50;
  ASSERT_EQ(d.Next(s).size(), 1u);
  s = At(10);
  s.collectors["a"].dropped = 20;
  EXPECT_TRUE(d.Next(s).empty());
  s = At(20);
  s.collectors["a"].dropped = 24;
  std::vector<Event> out = d.Next(s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(IntField(out[0], Fields().count), 4);
}

TEST(HealthDetectorTest, CollectorDownOnceThenUp) {
  using State = CollectorHealth::State;
  HealthDetector d = MakeDetector();
  HealthSample s = At(0);
  s.collectors["auth"].state = State::kRunning;
  s.collectors["lan"].state = State::kRunning;
  ASSERT_TRUE(d.Next(s).empty());

  s = At(10);
  s.collectors["auth"].state = State::kEnded;
  s.collectors["lan"].state = State::kRunning;
  std::vector<Event> out = d.Next(s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Action(out[0]), "collector_down");
  EXPECT_EQ(*out[0].GetString(Fields().collector), "auth");
  EXPECT_EQ(*out[0].GetString(ecs::kEventOutcome), "failure");

  s = At(20);  // still down: not repeated
  s.collectors["auth"].state = State::kEnded;
  s.collectors["lan"].state = State::kRunning;
  EXPECT_TRUE(d.Next(s).empty());

  s = At(30);
  s.collectors["auth"].state = State::kRunning;
  s.collectors["lan"].state = State::kRunning;
  out = d.Next(s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Action(out[0]), "collector_up");
  EXPECT_EQ(*out[0].GetString(ecs::kEventOutcome), "success");
}

TEST(HealthDetectorTest, RestartedAndEndedAgainBetweenSamplesIsUpThenDown) {
  using State = CollectorHealth::State;
  HealthDetector d = MakeDetector();
  HealthSample s = At(0);
  s.collectors["cap"].state = State::kEnded;
  s.collectors["cap"].runs = 1;
  ASSERT_EQ(d.Next(s).size(), 1u);  // down
  s = At(10);  // a reload started it again, and its source ended again at once
  s.collectors["cap"].state = State::kEnded;
  s.collectors["cap"].runs = 2;
  std::vector<Event> out = d.Next(s);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(Action(out[0]), "collector_up");
  EXPECT_EQ(Action(out[1]), "collector_down");
  s = At(20);  // nothing new
  s.collectors["cap"].state = State::kEnded;
  s.collectors["cap"].runs = 2;
  EXPECT_TRUE(d.Next(s).empty());
}

TEST(HealthDetectorTest, DownAtTheFirstSampleIsReported) {
  HealthDetector d = MakeDetector();
  HealthSample s = At(0);
  s.collectors["auth"].state = CollectorHealth::State::kEnded;
  std::vector<Event> out = d.Next(s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Action(out[0]), "collector_down");
}

TEST(HealthDetectorTest, ACollectorTheDaemonStoppedIsNotDown) {
  HealthDetector d = MakeDetector();
  HealthSample s = At(0);
  s.collectors["old"].state = CollectorHealth::State::kRunning;
  ASSERT_TRUE(d.Next(s).empty());
  s = At(10);
  s.collectors["old"].state = CollectorHealth::State::kStopped;  // a reload removed it
  EXPECT_TRUE(d.Next(s).empty());
  s = At(20);
  s.collectors["old"].state = CollectorHealth::State::kRunning;  // and a later one restored it
  EXPECT_TRUE(d.Next(s).empty());
}

TEST(HealthDetectorTest, CaptureLossWithRatio) {
  HealthDetector d = MakeDetector();
  HealthSample s = At(0);
  s.collectors["lan"].captures = true;
  s.collectors["lan"].capture_received = 1000;
  s.collectors["lan"].capture_dropped = 0;
  ASSERT_TRUE(d.Next(s).empty());
  s = At(10);
  s.collectors["lan"].captures = true;
  s.collectors["lan"].capture_received = 3000;
  s.collectors["lan"].capture_dropped = 100;
  std::vector<Event> out = d.Next(s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Action(out[0]), "capture_loss");
  EXPECT_EQ(IntField(out[0], Fields().count), 100);
  EXPECT_EQ(IntField(out[0], Fields().total), 100);
  EXPECT_DOUBLE_EQ(std::get<double>(*out[0].Get(Fields().ratio)), 100.0 / 2000.0);
}

TEST(HealthDetectorTest, EvictionsPerRule) {
  HealthDetector d = MakeDetector();
  HealthSample s = At(0);
  s.rule_evictions["ssh.bruteforce"] = 0;
  s.rule_evictions["dns.tunnel"] = 4;
  std::vector<Event> out = d.Next(s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Action(out[0]), "state_evicted");
  EXPECT_EQ(*out[0].GetString(Fields().rule), "dns.tunnel");
  EXPECT_EQ(IntField(out[0], Fields().count), 4);
  s = At(10);
  s.rule_evictions["ssh.bruteforce"] = 0;
  s.rule_evictions["dns.tunnel"] = 4;
  EXPECT_TRUE(d.Next(s).empty());
}

TEST(HealthDetectorTest, QueueSaturationIsReportedWhenItBegins) {
  HealthDetector d = MakeDetector();
  HealthSample s = At(0);
  s.queue_depth = 89;  // of 100: below 90%
  ASSERT_TRUE(d.Next(s).empty());
  s = At(10);
  s.queue_depth = 95;
  std::vector<Event> out = d.Next(s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Action(out[0]), "queue_saturated");
  EXPECT_EQ(IntField(out[0], Fields().queue_depth), 95);
  EXPECT_EQ(IntField(out[0], Fields().queue_capacity), 100);
  s = At(20);
  s.queue_depth = 100;  // still saturated: not repeated
  EXPECT_TRUE(d.Next(s).empty());
  s = At(30);
  s.queue_depth = 0;
  EXPECT_TRUE(d.Next(s).empty());
  s = At(40);
  s.queue_depth = 90;
  EXPECT_EQ(d.Next(s).size(), 1u);
}

TEST(HealthDetectorTest, MemoryAboveTheLimitIsReportedOncePerCrossing) {
  HealthOptions o;
  o.host_name = "ledger-01";
  o.memory_limit = 256ull << 20;
  HealthDetector d(o, Fields());
  HealthSample s = At(0);
  s.resident_bytes = 256ull << 20;  // at the limit is not above it
  ASSERT_TRUE(d.Next(s).empty());
  s = At(10);
  s.resident_bytes = (256ull << 20) + 1;
  std::vector<Event> out = d.Next(s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Action(out[0]), "memory_high");
  EXPECT_EQ(IntField(out[0], Fields().resident), static_cast<int64_t>((256ull << 20) + 1));
  EXPECT_EQ(IntField(out[0], Fields().memory_limit), static_cast<int64_t>(256ull << 20));
  EXPECT_EQ(*out[0].GetString(ecs::kEventOutcome), "unknown");
  s = At(20);
  s.resident_bytes = 900ull << 20;  // still above: not repeated
  EXPECT_TRUE(d.Next(s).empty());
  s = At(30);
  s.resident_bytes = 100ull << 20;
  EXPECT_TRUE(d.Next(s).empty());
  s = At(40);
  s.resident_bytes = 300ull << 20;  // a new crossing
  EXPECT_EQ(d.Next(s).size(), 1u);
}

TEST(HealthDetectorTest, MemoryIsNotWatchedWithoutALimit) {
  HealthDetector d = MakeDetector();  // memory_limit 0
  HealthSample s = At(0);
  s.resident_bytes = 64ull << 30;
  EXPECT_TRUE(d.Next(s).empty());
}

TEST(HealthDetectorTest, ClockJumpAheadAndBack) {
  HealthDetector d = MakeDetector();
  HealthSample s = At(0);
  ASSERT_TRUE(d.Next(s).empty());

  // The wall clock moved 10s + 1h while the monotonic clock moved 10s.
  s = At(10);
  s.wall += std::chrono::hours(1);
  std::vector<Event> out = d.Next(s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Action(out[0]), "clock_jump");
  EXPECT_EQ(std::get<Duration>(*out[0].Get(Fields().jump)), Duration(std::chrono::hours(1)));
  EXPECT_NE(out[0].GetString(ecs::kMessage)->find("ahead"), std::string::npos);

  // Then it stays (both clocks move 10s): nothing.
  s = At(20);
  s.wall += std::chrono::hours(1);
  EXPECT_TRUE(d.Next(s).empty());

  // Set back by 30s.
  s = At(30);
  s.wall += std::chrono::hours(1) - std::chrono::seconds(30);
  out = d.Next(s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Action(out[0]), "clock_jump");
  EXPECT_EQ(std::get<Duration>(*out[0].Get(Fields().jump)), Duration(-30s));
  EXPECT_NE(out[0].GetString(ecs::kMessage)->find("back"), std::string::npos);
}

TEST(HealthDetectorTest, ClockDriftWithinTheThresholdIsNotAJump) {
  HealthDetector d = MakeDetector();
  HealthSample s = At(0);
  ASSERT_TRUE(d.Next(s).empty());
  s = At(10);
  s.wall += 2s;  // exactly the threshold
  EXPECT_TRUE(d.Next(s).empty());
  s = At(20);
  s.wall += 2s - 1900ms;  // moved back 1.9s
  EXPECT_TRUE(d.Next(s).empty());
  s = At(30);
  s.wall += 2s - 1900ms - 2001ms;  // back 2.001s
  EXPECT_EQ(d.Next(s).size(), 1u);
}

TEST(HealthDetectorTest, ActionNamesAreStable) {
  const char* want[] = {"collector_down",  "collector_up", "collector_error",
                        "events_dropped",  "capture_loss", "state_evicted",
                        "queue_saturated", "clock_jump",   "scan_gap",
                        "audit_verify_failed", "report_failed", "memory_high"};
  ASSERT_EQ(std::size(want), static_cast<size_t>(HealthAction::kCount));
  for (size_t i = 0; i < std::size(want); ++i) {
    EXPECT_EQ(HealthActionName(static_cast<HealthAction>(i)), want[i]);
  }
}

TEST(HealthDetectorTest, FieldsAreDeclaredWithTheirTypes) {
  FieldRegistry r;
  auto f = DeclareHealthFields(r);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(r.Info(f->count).type, FieldType::kInt);
  EXPECT_EQ(r.Info(f->ratio).type, FieldType::kDouble);
  EXPECT_EQ(r.Info(f->jump).type, FieldType::kDuration);
  EXPECT_EQ(r.Info(f->collector).name, "vigil.health.collector");
  auto again = DeclareHealthFields(r);  // idempotent
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->count, f->count);
}

}  // namespace
}  // namespace vigil
