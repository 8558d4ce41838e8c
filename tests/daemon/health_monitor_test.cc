// HealthMonitor over a real Pipeline: a flood against a blocked engine gives one
// events_dropped event whose count is exactly the pipeline's drop counter, a collector that
// fails gives collector_error and collector_down, the full queue queue_saturated, a capture collector's kernel drops (read
// from its own metrics) give capture_loss; the events enter the full queue anyway and reach
// the consumer; vigil_health_events_total counts them by action, every action from the start.
//
// No assertion depends on timing; waits are bounded hang guards.
#include "health_monitor.h"

#include <gtest/gtest.h>

#include <latch>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;
using vigil::testing::Eventually;

Event MakeEvent(int64_t seq) {
  Event e;
  e.Set(ecs::kEventDataset, std::string("app.test"));
  e.Set(ecs::kLogOffset, seq);
  return e;
}

// Emits `n` events, then fails (or waits to be stopped); optionally exports capture series.
class ScriptedCollector : public Collector {
 public:
  ScriptedCollector(int n, bool fail, bool capture) : n_(n), fail_(fail), capture_(capture) {}
  Status Run(CollectorContext& ctx) override {
    for (int i = 0; i < n_; ++i) ctx.Emit(MakeEvent(i));
    if (fail_) return Status::IoError("source gone");
    while (ctx.SleepFor(20ms)) {
    }
    return Status::Ok();
  }
  void WriteMetrics(MetricWriter& out, const std::string& instance) const override {
    if (!capture_) return;
    MetricLabels l = {{"collector", instance}};
    out.Counter("vigil_capture_packets_received_total", "", l, 1000);
    out.Counter("vigil_capture_packets_dropped_total", "", l, 50);
    out.Counter("vigil_capture_interface_dropped_total", "", l, 10);
    out.Counter("vigil_network_bytes_total", "", l, 123456);  // not a capture counter
  }

 private:
  int n_;
  bool fail_, capture_;
};

// Blocks in Consume until the gate opens; records health events.
class GatedConsumer : public EventConsumer {
 public:
  explicit GatedConsumer(std::latch& gate) : gate_(gate) {}
  void Consume(Event& e) override {
    gate_.wait();
    const std::string* ds = e.GetString(ecs::kEventDataset);
    if (ds && *ds == "vigil.health") {
      std::lock_guard lock(mu_);
      health_.push_back(*e.GetString(ecs::kEventAction));
    }
  }
  std::vector<std::string> health() {
    std::lock_guard lock(mu_);
    return health_;
  }

 private:
  std::latch& gate_;
  std::mutex mu_;
  std::vector<std::string> health_;
};

class RecordingWriter : public MetricWriter {
 public:
  void Write(std::string_view name, std::string_view, MetricKind, const MetricLabels& labels,
             double value) override {
    std::string key(name);
    for (const auto& [k, v] : labels) key += "|" + k + "=" + v;
    samples[key] = value;
  }
  std::map<std::string, double> samples;
};

TEST(HealthMonitorTest, FloodFailureAndCaptureLossFromARealPipeline) {
  static const HealthFields fields = *DeclareHealthFields(FieldRegistry::Global());
  std::latch gate(1);
  GatedConsumer consumer(gate);
  PipelineOptions po;
  po.queue_capacity = 2;
  po.batch_size = 1;
  po.mode = RunMode::kLive;
  Pipeline pipeline(po, consumer);
  pipeline.Start();
  pipeline.AddCollector("flood", std::make_unique<ScriptedCollector>(100, true, false), nullptr);
  pipeline.AddCollector("lan", std::make_unique<ScriptedCollector>(0, false, true), nullptr);
  ASSERT_TRUE(Eventually([&] {
    return pipeline.CollectorStatuses()["flood"].state == Pipeline::CollectorState::kEnded;
  }));

  HealthMonitorOptions mo;
  mo.detector.host_name = "h";
  // The engine holds one event and the queue one or two (whether the engine took its first
  // before the queue filled is up to the scheduler): half full is saturated either way.
  mo.detector.queue_saturation = 0.5;
  std::vector<std::string> pushed;
  HealthMonitor monitor(
      mo, fields, [&] { return SampleDaemonHealth(pipeline, nullptr); },
      [&](Event&& e) {
        pushed.push_back(*e.GetString(ecs::kEventAction));
        if (pushed.back() == "events_dropped") {
          // The count of the first interval is the whole drop counter.
          EXPECT_EQ(*e.GetInt(fields.count), static_cast<int64_t>(pipeline.dropped()));
          EXPECT_EQ(*e.GetInt(fields.total), static_cast<int64_t>(pipeline.dropped()));
          EXPECT_EQ(*e.GetString(fields.collector), "flood");
        }
        if (pushed.back() == "capture_loss") {
          EXPECT_EQ(*e.GetInt(fields.count), 60);
          EXPECT_EQ(*e.GetString(fields.collector), "lan");
        }
        EXPECT_TRUE(pipeline.PushOwn(std::move(e)));  // the queue is full, and it still goes in
      });

  EXPECT_GE(pipeline.dropped(), 97u);  // at most 3 fit: one in the engine, two queued
  EXPECT_EQ(monitor.Tick(), 5u);
  EXPECT_EQ(pushed, (std::vector<std::string>{"collector_error", "events_dropped",
                                              "collector_down", "capture_loss",
                                              "queue_saturated"}));
  EXPECT_EQ(monitor.Tick(), 0u);  // nothing changed since

  RecordingWriter w;
  monitor.WriteMetrics(w);
  EXPECT_EQ(w.samples.size(), static_cast<size_t>(HealthAction::kCount));
  EXPECT_EQ(w.samples["vigil_health_events_total|action=events_dropped"], 1);
  EXPECT_EQ(w.samples["vigil_health_events_total|action=collector_down"], 1);
  EXPECT_EQ(w.samples["vigil_health_events_total|action=capture_loss"], 1);
  EXPECT_EQ(w.samples["vigil_health_events_total|action=queue_saturated"], 1);
  EXPECT_EQ(w.samples["vigil_health_events_total|action=clock_jump"], 0);
  EXPECT_EQ(w.samples["vigil_health_events_total|action=report_failed"], 0);

  gate.count_down();
  pipeline.StopCollectors();
  pipeline.Drain();
  EXPECT_EQ(consumer.health(), pushed);
  EXPECT_EQ(pipeline.dropped(), pipeline.CollectorStatuses()["flood"].totals.dropped);
}

TEST(HealthMonitorTest, CollectorsTheOwnerStoppedAreNotDown) {
  static const HealthFields fields = *DeclareHealthFields(FieldRegistry::Global());
  std::latch gate(0);
  GatedConsumer consumer(gate);
  Pipeline pipeline(PipelineOptions{}, consumer);
  pipeline.Start();
  pipeline.AddCollector("a", std::make_unique<ScriptedCollector>(5, false, false), nullptr);
  std::vector<std::string> pushed;
  HealthMonitor monitor(
      HealthMonitorOptions{}, fields, [&] { return SampleDaemonHealth(pipeline, nullptr); },
      [&](Event&& e) { pushed.push_back(*e.GetString(ecs::kEventAction)); });
  EXPECT_EQ(monitor.Tick(), 0u);
  ASSERT_TRUE(pipeline.StopCollector("a"));
  EXPECT_EQ(pipeline.CollectorStatuses()["a"].state, Pipeline::CollectorState::kStopped);
  EXPECT_EQ(monitor.Tick(), 0u);
  EXPECT_TRUE(pushed.empty());
  // Started again under the same name: running, its second run, counters carried on.
  pipeline.AddCollector("a", std::make_unique<ScriptedCollector>(5, false, false), nullptr);
  ASSERT_TRUE(Eventually([&] { return pipeline.CollectorStatuses()["a"].totals.events == 10; }));
  auto st = pipeline.CollectorStatuses()["a"];
  EXPECT_EQ(st.state, Pipeline::CollectorState::kRunning);
  EXPECT_EQ(st.runs, 2u);
  EXPECT_EQ(monitor.Tick(), 0u);
  EXPECT_TRUE(pushed.empty());
  pipeline.StopCollectors();
  pipeline.Drain();
}

TEST(HealthMonitorTest, StartAndStopAreIdempotentAndPrompt) {
  static const HealthFields fields = *DeclareHealthFields(FieldRegistry::Global());
  HealthMonitorOptions o;
  o.interval = std::chrono::hours(1);
  HealthMonitor monitor(o, fields, [] { return HealthSample{}; }, [](Event&&) {});
  monitor.Start();
  monitor.Stop();  // does not wait an hour
  monitor.Stop();
}

}  // namespace
}  // namespace vigil
