#include "access_build_pool.h"

#include <algorithm>
#include <cstdint>

#include "vigil/ecs_fields.h"

namespace vigil::access {
namespace {

// Whether `part` is a view into `whole` (an empty view at its end included).
bool Within(std::string_view whole, std::string_view part) {
  const auto w = reinterpret_cast<uintptr_t>(whole.data());
  const auto p = reinterpret_cast<uintptr_t>(part.data());
  return w <= p && p + part.size() <= w + whole.size();
}

}  // namespace

AccessBuildPool::AccessBuildPool(size_t threads, CollectorContext& ctx, const AccessFieldIds& ids,
                                 const UserRedaction& redaction, std::string_view path)
    : ctx_(ctx), ids_(ids), redaction_(redaction), path_(path),
      instance_(ctx.instance()), max_in_flight_(std::max<size_t>(threads, 1) + 1) {
  threads = std::max<size_t>(threads, 1);
  workers_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
}

AccessBuildPool::~AccessBuildPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

bool AccessBuildPool::Add(const SyslogHeader& header, const AuthRecord& record,
                          std::string_view line, int64_t offset) {
  // A record's views point into the line or at the parsers' constants, except its source,
  // which may be sshd's remembered one (SshdParser's connection state): the line and that
  // source are what the batch copies.
  const bool own_source = !record.source.empty() && !Within(line, record.source);
  const size_t need = line.size() + (own_source ? record.source.size() : 0);
  bool ok = true;
  if (current_ != nullptr && current_->bytes.size() + need > current_->bytes.capacity()) {
    Submit();
    ok = EmitReady(max_in_flight_);
  }
  if (current_ == nullptr) {
    if (free_.empty()) {
      current_ = std::make_unique<Batch>();
      current_->items.reserve(kBatchLines);
      current_->events.reserve(kBatchLines);
    } else {
      current_ = std::move(free_.back());
      free_.pop_back();
    }
  }
  Batch& b = *current_;
  // Empty here when the line alone is larger than a batch: growing it moves no view.
  if (b.bytes.capacity() < std::max(need, kBatchBytes)) b.bytes.reserve(std::max(need, kBatchBytes));
  const size_t base = b.bytes.size();
  b.bytes.append(line.data(), line.size());
  const char* const copy = b.bytes.data() + base;
  Item& item = b.items.emplace_back(Item{header, record, std::string_view(copy, line.size()), offset});
  SyslogHeader& h = item.header;
  AuthRecord& r = item.record;
  // Views into the line move to its copy; the others (constants) stay.
  const auto from = reinterpret_cast<uintptr_t>(line.data());
  const auto rebase = [from, size = line.size(), copy](std::string_view& v) {
    const uintptr_t at = reinterpret_cast<uintptr_t>(v.data()) - from;  // wraps when before
    if (at <= size && v.data() != nullptr) v = std::string_view(copy + at, v.size());
  };
  rebase(h.host);
  rebase(h.program);
  rebase(h.message);
  r.ForEachView(rebase);  // sshd's remembered source is not in the line: left as it is
  if (own_source) {
    const size_t at = b.bytes.size();
    b.bytes.append(r.source.data(), r.source.size());
    r.source = std::string_view(b.bytes.data() + at, r.source.size());
  }
  if (b.items.size() >= kBatchLines) {
    Submit();
    ok = EmitReady(max_in_flight_) && ok;
  }
  return ok;
}

void AccessBuildPool::Submit() {
  Batch* b = current_.get();
  if (b == nullptr || b->items.empty()) return;
  b->events.clear();
  for (size_t i = 0; i < b->items.size(); ++i) b->events.push_back(ctx_.NewEvent());
  {
    std::lock_guard lock(mu_);
    b->done = false;
    queued_.push_back(b);
  }
  work_cv_.notify_one();
  in_flight_.push_back(std::move(current_));
}

bool AccessBuildPool::EmitReady(size_t keep) {
  bool ok = true;
  while (!in_flight_.empty()) {
    Batch& b = *in_flight_.front();
    {
      std::unique_lock lock(mu_);
      if (!b.done) {
        if (in_flight_.size() < keep) break;
        done_cv_.wait(lock, [&b] { return b.done; });
      }
    }
    for (Event& e : b.events) ok = ctx_.EmitBatched(std::move(e)) && ok;
    b.events.clear();
    b.items.clear();
    b.bytes.clear();
    // A buffer grown for a long line (up to max_line_bytes) is not kept for the next batch.
    if (b.bytes.capacity() > 2 * kBatchBytes) std::string().swap(b.bytes);
    free_.push_back(std::move(in_flight_.front()));
    in_flight_.pop_front();
  }
  return ok;
}

bool AccessBuildPool::Drain() {
  Submit();
  return EmitReady(0);
}

void AccessBuildPool::Work() {
  while (true) {
    Batch* b = nullptr;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [this] { return stop_ || !queued_.empty(); });
      if (stop_) return;
      b = queued_.front();
      queued_.pop_front();
    }
    Build(*b);
    {
      std::lock_guard lock(mu_);
      b->done = true;
    }
    done_cv_.notify_one();
  }
}

void AccessBuildPool::Build(Batch& b) const {
  for (size_t i = 0; i < b.items.size(); ++i) {
    const Item& item = b.items[i];
    const LineOrigin origin{path_, item.offset, item.line};
    Event& e = b.events[i];
    BuildAccessEvent(item.header, item.record, origin, ids_, redaction_, &e);
    e.AddString(ecs::kObserverName, instance_);  // what EmitBatched would add, added here
  }
}

}  // namespace vigil::access
