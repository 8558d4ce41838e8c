#include "vigil/collector.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <chrono>
#include <ctime>

namespace vigil {

CollectorContext::CollectorContext(std::string instance, EventSink& sink, RunMode mode,
                                   SkipReporter reporter)
    : instance_(std::move(instance)),
      sink_(sink),
      mode_(mode),
      reporter_(std::move(reporter)),
      stop_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

CollectorContext::~CollectorContext() {
  if (stop_fd_ >= 0) close(stop_fd_);
}

bool CollectorContext::Emit(Event&& event) {
  if (!held_.empty()) FlushEmits();
  if (!event.Has(ecs::kObserverName)) event.Set(ecs::kObserverName, instance_);
  if (sink_.Push(std::move(event))) {
    counters_.events.fetch_add(1, std::memory_order_relaxed);
    counters_.last_event_unix.store(std::time(nullptr), std::memory_order_relaxed);
    return true;
  }
  counters_.dropped.fetch_add(1, std::memory_order_relaxed);
  return false;
}

bool CollectorContext::EmitBatched(Event&& event) {
  if (!event.Has(ecs::kObserverName)) event.AddString(ecs::kObserverName, instance_);
  if (held_.capacity() == 0) held_.reserve(kEmitBatch);
  held_.push_back(std::move(event));
  return held_.size() < kEmitBatch || FlushEmits();
}

bool CollectorContext::FlushEmits() { return held_.empty() || HandOn(held_); }

bool CollectorContext::HandOn(std::vector<Event>& events) {
  const size_t n = events.size();
  const size_t queued = sink_.PushBatch(events);
  events.clear();
  if (queued > 0) {
    counters_.events.fetch_add(queued, std::memory_order_relaxed);
    counters_.last_event_unix.store(std::time(nullptr), std::memory_order_relaxed);
  }
  if (queued < n) counters_.dropped.fetch_add(n - queued, std::memory_order_relaxed);
  return queued == n;
}

bool CollectorContext::EmitAll(std::vector<Event>& events) {
  const bool flushed = FlushEmits();
  return (events.empty() || HandOn(events)) && flushed;
}

Event CollectorContext::NewEvent() {
  if (spares_.empty()) sink_.TakeSpares(spares_, kEmitBatch);
  if (spares_.empty()) return Event();
  Event e = std::move(spares_.back());
  spares_.pop_back();
  return e;
}

void CollectorContext::Skip(std::string_view where, std::string_view reason) {
  counters_.skipped.fetch_add(1, std::memory_order_relaxed);
  if (reporter_) reporter_(where, reason);
}

bool CollectorContext::SleepFor(std::chrono::milliseconds d) const {
  // poll() takes an int of milliseconds, where a negative value means "forever": wait in
  // slices towards a deadline instead of casting (d may exceed INT_MAX ms, ~24.8 days).
  using std::chrono::milliseconds;
  constexpr milliseconds kMaxSleep = std::chrono::hours(24 * 365 * 100);  // no clock overflow
  const auto deadline =
      std::chrono::steady_clock::now() + std::clamp(d, milliseconds(0), kMaxSleep);
  pollfd p{stop_fd_, POLLIN, 0};
  while (!stopping()) {
    auto left = std::chrono::ceil<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    int rc = poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), INT_MAX)));
    if (rc < 0 && errno != EINTR) break;
  }
  return !stopping();
}

void CollectorContext::RequestStop() {
  stopping_.store(true, std::memory_order_release);
  uint64_t one = 1;
  if (stop_fd_ >= 0) {
    [[maybe_unused]] ssize_t n = write(stop_fd_, &one, sizeof one);
  }
}

CollectorRegistry& CollectorRegistry::Global() {
  static CollectorRegistry* registry = new CollectorRegistry();  // lives until exit
  return *registry;
}

Status CollectorRegistry::DeclareAllFields(FieldRegistry& fields) const {
  for (const auto& [name, f] : factories()) {
    Status s = f->DeclareFields(fields);
    if (!s.ok()) return Status(s.code(), "collector '" + name + "': " + s.message());
  }
  return Status::Ok();
}

}  // namespace vigil
