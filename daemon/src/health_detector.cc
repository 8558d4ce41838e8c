#include "health_detector.h"

#include <cstdint>
#include <cstdio>
#include <utility>

namespace vigil {
namespace {

// now - was, or 0 when the counter went backwards (a new baseline).
uint64_t Delta(uint64_t was, uint64_t now) { return now > was ? now - was : 0; }

int64_t AsInt(uint64_t v) {
  return v > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(v);
}

std::string Seconds(std::chrono::nanoseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fs", std::chrono::duration<double>(d).count());
  return buf;
}

}  // namespace

HealthDetector::HealthDetector(HealthOptions options, const HealthFields& fields)
    : options_(std::move(options)), fields_(fields) {}

Event HealthDetector::Make(HealthAction action, const HealthSample& sample,
                           std::string message) const {
  Event e = MakeHealthEvent(action, sample.wall, options_.host_name, std::move(message));
  if (previous_) e.Set(fields_.interval, sample.monotonic - previous_->monotonic);
  return e;
}

std::vector<Event> HealthDetector::Next(const HealthSample& now) {
  std::vector<Event> out;
  static const HealthSample kStart;  // the daemon's start: zeros, everything running
  const HealthSample& was = previous_ ? *previous_ : kStart;

  for (const auto& [name, c] : now.collectors) {
    auto it = was.collectors.find(name);
    static const CollectorHealth kNew;
    CompareCollector(name, it == was.collectors.end() ? kNew : it->second, c, now, out);
  }

  for (const auto& [rule, evicted] : now.rule_evictions) {
    auto it = was.rule_evictions.find(rule);
    uint64_t d = Delta(it == was.rule_evictions.end() ? 0 : it->second, evicted);
    if (d == 0) continue;
    Event e = Make(HealthAction::kStateEvicted, now,
                   "rule '" + rule + "' evicted " + std::to_string(d) +
                       " correlation groups or entries at its memory cap; it may miss matches");
    e.Set(fields_.component, std::string("rules"));
    e.Set(fields_.rule, rule);
    e.Set(fields_.count, AsInt(d));
    e.Set(fields_.total, AsInt(evicted));
    out.push_back(std::move(e));
  }

  const bool saturated =
      now.queue_capacity > 0 && static_cast<double>(now.queue_depth) >=
                                    options_.queue_saturation * static_cast<double>(now.queue_capacity);
  if (saturated && !queue_was_saturated_) {
    Event e = Make(HealthAction::kQueueSaturated, now,
                   "the pipeline queue holds " + std::to_string(now.queue_depth) + " of " +
                       std::to_string(now.queue_capacity) +
                       " events: the rule engine does not keep up and new events will be dropped");
    e.Set(fields_.component, std::string("queue"));
    e.Set(fields_.queue_depth, AsInt(now.queue_depth));
    e.Set(fields_.queue_capacity, AsInt(now.queue_capacity));
    e.Set(fields_.ratio, static_cast<double>(now.queue_depth) / static_cast<double>(now.queue_capacity));
    out.push_back(std::move(e));
  }
  queue_was_saturated_ = saturated;

  const bool over = options_.memory_limit > 0 && now.resident_bytes > options_.memory_limit;
  if (over && !memory_was_high_) {
    Event e = Make(HealthAction::kMemoryHigh, now,
                   "Vigil's resident memory is " + std::to_string(now.resident_bytes >> 20) +
                       " MiB, above health.memory_limit (" + std::to_string(options_.memory_limit >> 20) +
                       " MiB)");
    e.Set(fields_.component, std::string("memory"));
    e.Set(fields_.resident, AsInt(now.resident_bytes));
    e.Set(fields_.memory_limit, AsInt(options_.memory_limit));
    out.push_back(std::move(e));
  }
  memory_was_high_ = over;

  CompareClocks(now, out);
  previous_ = now;
  return out;
}

void HealthDetector::CompareCollector(const std::string& name, const CollectorHealth& was,
                                      const CollectorHealth& now, const HealthSample& sample,
                                      std::vector<Event>& out) {
  using State = CollectorHealth::State;
  auto make = [&](HealthAction action, std::string message) {
    Event e = Make(action, sample, std::move(message));
    e.Set(fields_.component, std::string("collector"));
    e.Set(fields_.collector, name);
    e.Set(ecs::kObserverName, name);
    return e;
  };

  if (uint64_t d = Delta(was.errors, now.errors); d > 0) {
    Event e = make(HealthAction::kCollectorError,
                   "collector '" + name + "' had " + std::to_string(d) + " read errors or failed runs");
    e.Set(fields_.count, AsInt(d));
    e.Set(fields_.total, AsInt(now.errors));
    out.push_back(std::move(e));
  }
  if (uint64_t d = Delta(was.dropped, now.dropped); d > 0) {
    const uint64_t offered = d + Delta(was.events, now.events);
    Event e = make(HealthAction::kEventsDropped,
                   "collector '" + name + "': " + std::to_string(d) + " of " +
                       std::to_string(offered) +
                       " events dropped because the pipeline queue was full; they were not evaluated");
    e.Set(fields_.count, AsInt(d));
    e.Set(fields_.total, AsInt(now.dropped));
    e.Set(fields_.ratio, static_cast<double>(d) / static_cast<double>(offered));
    out.push_back(std::move(e));
  }
  if (now.captures) {
    const uint64_t lost = Delta(was.capture_dropped, now.capture_dropped);
    if (lost > 0) {
      const uint64_t received = Delta(was.capture_received, now.capture_received);
      // Linux counts dropped packets in ps_recv too; elsewhere they are apart. Either way
      // the ratio stays within 0..1.
      const double ratio = received >= lost ? static_cast<double>(lost) / static_cast<double>(received)
                                            : 1.0;
      Event e = make(HealthAction::kCaptureLoss,
                     "collector '" + name + "': " + std::to_string(lost) + " packets dropped by the "
                     "kernel or interface before capture (" + std::to_string(received) + " received)");
      e.Set(fields_.count, AsInt(lost));
      e.Set(fields_.total, AsInt(now.capture_dropped));
      e.Set(fields_.ratio, ratio);
      out.push_back(std::move(e));
    }
  }
  // A collector reported down that was started again is up, even if it ended again before
  // this sample (then it is down again, too).
  const bool restarted = now.runs > was.runs;
  if (was.state == State::kEnded && now.state != State::kStopped &&
      (now.state == State::kRunning || restarted)) {
    out.push_back(make(HealthAction::kCollectorUp, "collector '" + name + "' runs again"));
  }
  if (now.state == State::kEnded && (was.state != State::kEnded || restarted)) {
    out.push_back(make(HealthAction::kCollectorDown,
                       "collector '" + name + "' stopped running; its source is not watched"));
  }
}

void HealthDetector::CompareClocks(const HealthSample& now, std::vector<Event>& out) {
  if (!previous_) return;
  const std::chrono::nanoseconds wall = now.wall - previous_->wall;
  const std::chrono::nanoseconds mono = now.monotonic - previous_->monotonic;
  const std::chrono::nanoseconds jump = wall - mono;
  if (std::chrono::abs(jump) <= options_.clock_jump_threshold) return;
  Event e = Make(HealthAction::kClockJump, now,
                 std::string("the wall clock jumped ") + (jump.count() > 0 ? "ahead" : "back") +
                     " by " + Seconds(std::chrono::abs(jump)) +
                     " against the monotonic clock; event times around it may be out of order");
  e.Set(fields_.component, std::string("clock"));
  e.Set(fields_.jump, jump);
  out.push_back(std::move(e));
}

}  // namespace vigil
