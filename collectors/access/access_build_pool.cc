#include "access_build_pool.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <utility>

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
                                 const UserRedaction& redaction, std::string_view path,
                                 size_t max_line_bytes, const YearInference& years)
    : ctx_(ctx), ids_(ids), redaction_(redaction), path_(path), max_line_bytes_(max_line_bytes),
      years_(years), instance_(ctx.instance()), max_in_flight_(std::max<size_t>(threads, 1) + 1) {
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
  turn_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

bool AccessBuildPool::StartLine(size_t need) {
  bool ok = true;
  if (current_ != nullptr &&
      (current_->cuts.size() >= kBatchLines || current_->bytes.size() + need > current_->bytes.capacity())) {
    Submit();
    ok = EmitReady(max_in_flight_);
  }
  if (current_ == nullptr) {
    if (free_.empty()) {
      current_ = std::make_unique<Batch>(years_);
      current_->cuts.reserve(kBatchLines);
      current_->parsed.resize(kBatchLines);
      current_->events.reserve(kBatchLines);
    } else {
      current_ = std::move(free_.back());
      free_.pop_back();
      current_->years = years_;
    }
  }
  // Empty here when the line alone is larger than a batch.
  std::string& bytes = current_->bytes;
  if (bytes.capacity() < std::max(need, kBatchBytes)) bytes.reserve(std::max(need, kBatchBytes));
  return ok;
}

bool AccessBuildPool::AddLine(std::string_view line, int64_t offset) {
  // sudo's log file wraps long entries onto lines indented by four spaces: joined here,
  // where the lines are in order, onto the entry still at the end of the current batch
  // (a batch is handed over only when the next line that is not a continuation comes).
  if (line.size() >= 4 && line.compare(0, 4, "    ") == 0 && LastTakesContinuation()) {
    Cut& last = current_->cuts[open_cut_];
    if (last.size + line.size() <= max_line_bytes_) {
      std::string& bytes = current_->bytes;
      bytes += ' ';
      bytes.append(line.data() + 4, line.size() - 4);  // may reallocate: only offsets so far
      last.size += line.size() - 3;
    }
    return true;
  }
  const bool ok = StartLine(line.size()) && !std::exchange(emit_failed_, false);
  Batch& b = *current_;
  b.cuts.push_back(Cut{b.bytes.size(), line.size(), offset, Kind::kLine});
  b.bytes.append(line.data(), line.size());
  open_ = Open::kUnknown;
  open_cut_ = b.cuts.size() - 1;
  return ok;
}

bool AccessBuildPool::LastTakesContinuation() {
  if (open_ == Open::kUnknown && current_ != nullptr) {
    // Rare (an indented line after a line): the last line's header read here.
    const Cut& last = current_->cuts[open_cut_];
    const auto header = ParseSyslogHeader(std::string_view(current_->bytes).substr(last.begin, last.size), current_->years);
    open_ = header && header->program == "sudo" && header->host.empty() ? Open::kYes : Open::kNo;
  }
  return open_ == Open::kYes;
}

void AccessBuildPool::AddOverlong(int64_t offset) {
  // Not a line: a sudo entry before it may still take continuation lines (open_ kept), so
  // the batch is not handed over here (it may hold more than kBatchLines cuts).
  // Bounded all the same: a held sudo entry followed by a great many overlong lines is
  // handed over (and takes no more continuations) after kBatchLines * 4 cuts.
  bool ok = true;
  if (current_ == nullptr || current_->cuts.size() >= kBatchLines * 4 ||
      (current_->cuts.size() >= kBatchLines && !LastTakesContinuation())) {
    ok = StartLine(0);
  }
  current_->cuts.push_back(Cut{current_->bytes.size(), 0, offset, Kind::kOverlong});
  emit_failed_ = emit_failed_ || !ok;
}

void AccessBuildPool::SetYears(const YearInference& years) {
  Submit();  // the lines before keep the years they were read with
  open_ = Open::kNo;
  years_ = years;
}

void AccessBuildPool::Submit() {
  Batch* b = current_.get();
  if (b == nullptr) return;
  if (b->cuts.empty()) return;
  {
    std::lock_guard lock(mu_);
    b->seq = next_seq_++;
    b->done = false;
    queued_.push_back(b);
  }
  work_cv_.notify_one();
  in_flight_.push_back(std::move(current_));
  open_ = Open::kNo;
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
    for (const Cut& c : b.cuts) {
      if (c.kind == Kind::kOverlong) {
        ctx_.Skip(std::string(path_) + "@" + std::to_string(c.offset),
                  "line longer than " + std::to_string(max_line_bytes_) + " bytes");
      } else if (c.kind == Kind::kNoHeader) {
        ctx_.Skip(std::string(path_) + "@" + std::to_string(c.offset), "no syslog header");
      }
    }
    ok = ctx_.EmitAll(b.events) && ok;  // leaves b.events empty
    b.cuts.clear();
    b.bytes.clear();
    // A buffer grown for a long line (up to max_line_bytes) is not kept for the next batch.
    if (b.bytes.capacity() > 2 * kBatchBytes) std::string().swap(b.bytes);
    if (b.sources.capacity() > 2 * kBatchBytes) std::string().swap(b.sources);
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
    Parse(*b);
    {
      std::unique_lock lock(mu_);
      turn_cv_.wait(lock, [this, b] { return stop_ || turn_ == b->seq; });
      if (stop_) return;
    }
    ApplyState(*b);
    {
      std::lock_guard lock(mu_);
      ++turn_;
    }
    turn_cv_.notify_all();
    Build(*b);
    {
      std::lock_guard lock(mu_);
      b->done = true;
    }
    done_cv_.notify_one();
  }
}

void AccessBuildPool::Parse(Batch& b) const {
  const std::string_view bytes = b.bytes;
  if (b.parsed.size() < b.cuts.size()) b.parsed.resize(b.cuts.size());
  for (size_t i = 0; i < b.cuts.size(); ++i) {
    Cut& c = b.cuts[i];
    if (c.kind != Kind::kLine) continue;
    auto header = ParseSyslogHeader(bytes.substr(c.begin, c.size), b.years);
    if (!header) {
      c.kind = Kind::kNoHeader;
      continue;
    }
    Parsed& p = b.parsed[i];
    p.header = *header;
    p.record = AuthRecord{};
    p.source_at = SIZE_MAX;
    switch (AuthLineParser::ParseMessage(p.header, &p.record, &p.role)) {
      case AuthLineParser::Kind::kIgnored: c.kind = Kind::kIgnored; break;
      case AuthLineParser::Kind::kEvent: c.kind = Kind::kEvent; break;
      case AuthLineParser::Kind::kSshd: c.kind = Kind::kSshd; break;
    }
  }
}

void AccessBuildPool::ApplyState(Batch& b) {
  b.sources.clear();
  const std::string_view bytes = b.bytes;
  for (size_t i = 0; i < b.cuts.size(); ++i) {
    const Cut& c = b.cuts[i];
    if (c.kind != Kind::kSshd) continue;
    Parsed& p = b.parsed[i];
    sshd_.Apply(p.header.pid, p.role, &p.record);
    // A source from the connection's state points into sshd_, which later lines change.
    if (!p.record.source.empty() && !Within(bytes.substr(c.begin, c.size), p.record.source)) {
      p.source_at = b.sources.size();
      b.sources.append(p.record.source);
    }
  }
}

void AccessBuildPool::Build(Batch& b) {
  size_t events = 0;
  for (const Cut& c : b.cuts) events += c.kind == Kind::kEvent || c.kind == Kind::kSshd ? 1 : 0;
  b.events.clear();
  ctx_.TakeSpares(b.events, events);  // consumed events handed back, their buffers kept
  if (!b.events.empty() && !recycling_.load(std::memory_order_relaxed)) recycling_.store(true, std::memory_order_relaxed);
  // Once this pool made about as many events as the pipeline holds in flight, running short
  // means the engine is behind (its thread lost its core): wait a little for the events it
  // hands back rather than make more. A fresh event costs every string's allocation, and
  // once the engine catches up its free list (Pipeline::kMaxSpares) frees the surplus, so
  // the churn would go on. The wait is bounded; a sink that hands nothing back is not waited for.
  if (b.events.size() < events && recycling_.load(std::memory_order_relaxed) &&
      made_.load(std::memory_order_relaxed) >= kMadeBeforeWaiting) {
    for (int i = 0; i < kSpareWaits && b.events.size() < events; ++i) {
      std::this_thread::sleep_for(kSpareWait);
      ctx_.TakeSpares(b.events, events - b.events.size());
    }
  }
  made_.fetch_add(events - b.events.size(), std::memory_order_relaxed);
  while (b.events.size() < events) b.events.emplace_back();
  const std::string_view bytes = b.bytes;
  size_t k = 0;
  for (size_t i = 0; i < b.cuts.size(); ++i) {
    const Cut& c = b.cuts[i];
    if (c.kind != Kind::kEvent && c.kind != Kind::kSshd) continue;
    Parsed& p = b.parsed[i];
    if (p.source_at != SIZE_MAX) p.record.source = std::string_view(b.sources).substr(p.source_at, p.record.source.size());
    const LineOrigin origin{path_, c.offset, bytes.substr(c.begin, c.size)};
    Event& e = b.events[k++];
    BuildAccessEvent(p.header, p.record, origin, ids_, redaction_, &e);
    e.AddString(ecs::kObserverName, instance_);  // what EmitBatched would add, added here
  }
}

}  // namespace vigil::access
