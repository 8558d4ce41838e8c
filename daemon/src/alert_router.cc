#include "alert_router.h"

#include <nlohmann/json.hpp>

#include "store/journal.h"
#include "vigil/log.h"

namespace vigil {
namespace {

using nlohmann::json;

constexpr int kPersistAttempts = 3;
constexpr auto kTickEvery = std::chrono::seconds(1);
constexpr auto kPruneEvery = std::chrono::hours(1);
constexpr auto kHandlingEvery = std::chrono::seconds(15);
// Buckets of the handling-time histograms: 1 min to 30 days.
const std::vector<double> kHandlingBounds = {60, 300, 900, 1800, 3600, 4 * 3600, 8 * 3600, 24 * 3600,
                                             3 * 86400, 7 * 86400, 30 * 86400};

}  // namespace

std::string AlertJsonWithId(const Alert& alert, uint64_t id) {
  std::string j = AlertToJson(alert);
  json parsed = json::parse(j, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return j;
  parsed["vigil"]["alert"]["id"] = id;
  // Keep "@timestamp" first, as AlertToJson does.
  std::string ts = parsed["@timestamp"].dump();
  parsed.erase("@timestamp");
  std::string rest = parsed.dump(-1, ' ', false, json::error_handler_t::replace);
  return "{\"@timestamp\":" + ts + "," + rest.substr(1);
}

AlertRouter::AlertRouter(RouterOptions options, AlertDelivery deliver)
    : options_(std::move(options)), deliver_(std::move(deliver)) {}

Timestamp AlertRouter::Now() const { return options_.clock ? options_.clock() : WallNow(); }

AlertRouter::~AlertRouter() { Stop(); }

Result<std::unique_ptr<AlertRouter>> AlertRouter::Open(const RouterOptions& options, AlertDelivery deliver) {
  std::unique_ptr<AlertRouter> r(new AlertRouter(options, std::move(deliver)));
  audit::AuditOpenReport report;
  auto log = audit::AuditLog::Open(options.audit, &report);
  if (!log.ok()) return log.status();
  r->audit_ = std::move(*log);
  if (report.created_key) {
    VIGIL_LOG(kNotice) << "created the audit signing key " << options.audit.key_path << "; give auditors "
                       << options.audit.key_path << ".pub (" << r->audit_->verifier_key() << ")";
  }
  auto store = store::AlertStore::Open(options.store_path);
  if (!store.ok()) return store.status();
  r->store_ = std::move(*store);

  auto head = r->store_->Head();
  if (!head.ok()) return head.status();
  if (*head && (*head)->seq > r->audit_->last_seq()) {
    return Status::FailedPrecondition(
        "the audit log " + options.audit.path + " ends at record " + std::to_string(r->audit_->last_seq()) +
        " but the store " + options.store_path + " has applied records up to " + std::to_string((*head)->seq) +
        ": the log was truncated or replaced. Run `vigil verify`, keep the log as evidence, and move the log "
        "and the store aside to start new ones");
  }
  const uint64_t before = *head ? (*head)->seq : 0;
  {
    store::Journal journal(*r->audit_, *r->store_);  // applies what the store lacks
    VIGIL_RETURN_IF_ERROR(journal.Begin());
    VIGIL_RETURN_IF_ERROR(journal.Commit(r->Now()));
  }
  if (r->audit_->last_seq() > before && *head) {
    VIGIL_LOG(kWarning) << "applied " << r->audit_->last_seq() - before << " audit record(s) the store "
                        << options.store_path << " was missing (an interrupted write)";
  }
  auto max_id = r->store_->MaxAlertId();
  if (!max_id.ok()) return max_id.status();
  r->next_id_ = *max_id + 1;
  r->RefreshHandling();
  r->thread_ = std::thread([p = r.get()] { p->Run(); });
  return r;
}

void AlertRouter::Submit(const Alert& alert) {
  std::unique_lock lock(mu_);
  if (queue_.size() >= options_.queue_capacity) {
    waits_.fetch_add(1, std::memory_order_relaxed);
    not_full_.wait(lock, [&] { return queue_.size() < options_.queue_capacity || stopping_; });
  }
  queue_.push_back(alert);
  ++submitted_;
  depth_.store(queue_.size(), std::memory_order_relaxed);
  lock.unlock();
  not_empty_.notify_one();
}

void AlertRouter::RecordRun(std::string type, json data) {
  {
    std::lock_guard lock(mu_);
    run_records_.push_back({submitted_, std::move(type), std::move(data), nullptr});
  }
  not_empty_.notify_one();
}

void AlertRouter::Barrier(std::function<void()> done) {
  {
    std::lock_guard lock(mu_);
    run_records_.push_back({submitted_, "", nullptr, std::move(done)});
  }
  not_empty_.notify_one();
}

void AlertRouter::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  not_empty_.notify_all();
  not_full_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AlertRouter::Run() {
  std::deque<Alert> batch;
  std::deque<PendingRecord> records;
  for (;;) {
    bool stop = false;
    {
      std::unique_lock lock(mu_);
      not_empty_.wait_for(lock, kTickEvery,
                          [&] { return !queue_.empty() || !run_records_.empty() || stopping_; });
      // Alerts up to the next run record, then the records handed over at that point.
      size_t n = std::min(queue_.size(), options_.batch);
      if (!run_records_.empty()) n = std::min<uint64_t>(n, run_records_.front().after_alerts - taken_);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      taken_ += n;
      while (!run_records_.empty() && run_records_.front().after_alerts == taken_) {
        records.push_back(std::move(run_records_.front()));
        run_records_.pop_front();
      }
      depth_.store(queue_.size(), std::memory_order_relaxed);
      stop = stopping_ && queue_.empty() && run_records_.empty();
    }
    not_full_.notify_all();
    if (!batch.empty()) Process(batch);
    // Barriers: the alerts before them are stored (Process returned), unless one was lost.
    for (auto it = records.begin(); it != records.end();) {
      if (!it->done) {
        ++it;
        continue;
      }
      if (!lost_alerts_) it->done();
      it = records.erase(it);
    }
    if (!records.empty()) {
      Status s;
      for (int attempt = 1; attempt <= kPersistAttempts; ++attempt) {
        s = PersistRunRecords(records);
        if (s.ok()) break;
        errors_.fetch_add(1, std::memory_order_relaxed);
        if (attempt < kPersistAttempts) std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
      }
      if (!s.ok()) VIGIL_LOG(kError) << "alert store: run record not written: " << s.message();
      records.clear();
    }
    const auto now = std::chrono::steady_clock::now();
    if (stop || now - last_tick_ >= kTickEvery) {
      last_tick_ = now;
      if (Status s = Tick(stop); !s.ok()) {
        errors_.fetch_add(1, std::memory_order_relaxed);
        VIGIL_LOG(kError) << "alert store: " << s.message();
      }
    }
    if (stop) return;
  }
}

void AlertRouter::Process(std::deque<Alert>& batch) {
  // ids grows as alerts get their audit record; a retry continues after them (the store
  // picks up the records a failed attempt appended when it reconciles).
  std::vector<std::pair<uint64_t, std::string>> ids;
  Status s;
  for (int attempt = 1; attempt <= kPersistAttempts; ++attempt) {
    s = Persist(batch, ids);
    if (s.ok()) break;
    errors_.fetch_add(1, std::memory_order_relaxed);
    VIGIL_LOG(kError) << "alert store: " << s.message() << " (attempt " << attempt << " of " << kPersistAttempts
                      << ")";
    if (attempt < kPersistAttempts) std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
  }
  if (!s.ok()) {
    // Detection must not stop with the disk: the outputs still get the alerts, without ids.
    unpersisted_.fetch_add(batch.size() - ids.size(), std::memory_order_relaxed);
    lost_alerts_ = true;
    persisted_.fetch_add(ids.size(), std::memory_order_relaxed);
    for (size_t i = 0; i < batch.size(); ++i) {
      if (i < ids.size()) deliver_(ids[i].first, batch[i], ids[i].second);
      else deliver_(0, batch[i], AlertToJson(batch[i]));
    }
  } else {
    persisted_.fetch_add(batch.size(), std::memory_order_relaxed);
    for (size_t i = 0; i < batch.size(); ++i) deliver_(ids[i].first, batch[i], ids[i].second);
  }
  batch.clear();
}

Status AlertRouter::Persist(std::deque<Alert>& batch, std::vector<std::pair<uint64_t, std::string>>& ids) {
  store::Journal journal(*audit_, *store_);
  VIGIL_RETURN_IF_ERROR(journal.Begin());
  // Another writer (`vigil alerts`) or a failed attempt may have added alerts.
  auto max_id = store_->MaxAlertId();
  if (!max_id.ok()) return max_id.status();
  next_id_ = std::max(next_id_, *max_id + 1);
  const Timestamp now = Now();
  for (size_t i = ids.size(); i < batch.size();) {
    const Alert& a = batch[i];
    if (std::string key = store::AlertSourceKey(a); !key.empty()) {
      auto seen = store_->HasSourceKey(key);
      if (!seen.ok()) return seen.status();
      if (*seen) {  // its line was read again after a crash: stored and delivered before
        duplicates_.fetch_add(1, std::memory_order_relaxed);
        batch.erase(batch.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
    }
    std::optional<int64_t> opener;
    if (a.suppressed_count() > 0 && !a.suppression->key.empty()) {
      auto found = store_->FindSuppressionOpener(a.rule->id, a.suppression->key, a.suppression->opened);
      if (!found.ok()) return found.status();
      opener = *found;
    }
    const int64_t id = opener ? *opener : next_id_;
    std::string alert_json = AlertJsonWithId(a, static_cast<uint64_t>(id));
    json data = opener ? store::SuppressedRecordData(id, a)
                       : store::AlertRecordData(id, a, alert_json, options_.host_name, now);
    auto rec = journal.Record(opener ? "suppressed" : "alert", std::move(data), now);
    if (!rec.ok()) return rec.status();
    if (opener) merged_.fetch_add(1, std::memory_order_relaxed);
    else ++next_id_;
    ids.emplace_back(static_cast<uint64_t>(id), std::move(alert_json));
    ++i;
  }
  return journal.Commit(now);
}

Status AlertRouter::PersistRunRecords(std::deque<PendingRecord>& records) {
  store::Journal journal(*audit_, *store_);
  VIGIL_RETURN_IF_ERROR(journal.Begin());
  const Timestamp now = Now();
  // Written records leave the deque, so a retry continues after them.
  while (!records.empty()) {
    PendingRecord& r = records.front();
    if (r.type != "run_start") {
      if (run_id_ == 0) return Status::FailedPrecondition("a " + r.type + " record before any run_start");
      r.data["run"] = run_id_;
    }
    auto rec = journal.Record(r.type, r.data, now);
    if (!rec.ok()) return rec.status();
    if (r.type == "run_start") run_id_ = static_cast<int64_t>(rec->seq);
    records.pop_front();
  }
  return journal.Commit(now);
}

Status AlertRouter::Tick(bool final_checkpoint) {
  const auto now = std::chrono::steady_clock::now();
  if (final_checkpoint || audit_->CheckpointDue(Now())) {
    // Signs what arrived since the last checkpoint once checkpoint_interval has passed
    // (or now, when stopping); also picks up records that `vigil alerts` appended.
    store::Journal journal(*audit_, *store_);
    VIGIL_RETURN_IF_ERROR(journal.Begin());
    VIGIL_RETURN_IF_ERROR(journal.Commit(Now(), final_checkpoint));
  }
  if (options_.keep.count() > 0 && (last_prune_ == std::chrono::steady_clock::time_point{} ||
                                    now - last_prune_ >= kPruneEvery)) {
    last_prune_ = now;
    auto n = store_->Prune(Now() - options_.keep);
    if (!n.ok()) return n.status();
    if (*n > 0) {
      pruned_.fetch_add(static_cast<uint64_t>(*n), std::memory_order_relaxed);
      VIGIL_LOG(kInfo) << "alert store: pruned " << *n << " resolved alert(s) older than the configured keep";
    }
  }
  if (now - last_handling_ >= kHandlingEvery || final_checkpoint) RefreshHandling();
  return Status::Ok();
}

void AlertRouter::RefreshHandling() {
  last_handling_ = std::chrono::steady_clock::now();
  auto h = store_->Handling();
  if (!h.ok()) {
    VIGIL_LOG(kWarning) << "alert store: " << h.status().message();
    return;
  }
  std::lock_guard lock(handling_mu_);
  handling_ = std::move(*h);
}

void AlertRouter::WriteMetrics(MetricWriter& out) const {
  out.Counter("vigil_alerts_stored_total", "Alerts written to the store and the audit log.", {},
              static_cast<double>(persisted_.load(std::memory_order_relaxed)));
  out.Counter("vigil_alerts_merged_total",
              "Suppression summaries merged into the alert that opened their window.", {},
              static_cast<double>(merged_.load(std::memory_order_relaxed)));
  out.Counter("vigil_alerts_duplicates_total",
              "Alerts not stored again because their line was read again after a crash.", {},
              static_cast<double>(duplicates_.load(std::memory_order_relaxed)));
  out.Counter("vigil_alerts_unpersisted_total",
              "Alerts delivered to the outputs although the store or audit log could not record them.", {},
              static_cast<double>(unpersisted_.load(std::memory_order_relaxed)));
  out.Counter("vigil_alert_store_errors_total", "Failed attempts to write the store or the audit log.", {},
              static_cast<double>(errors_.load(std::memory_order_relaxed)));
  out.Counter("vigil_alert_router_waits_total",
              "Times the rule engine waited because the alert queue was full.", {},
              static_cast<double>(waits_.load(std::memory_order_relaxed)));
  out.Gauge("vigil_alert_router_queue_depth", "Alerts waiting to be stored.", {},
            static_cast<double>(depth_.load(std::memory_order_relaxed)));
  out.Counter("vigil_alerts_pruned_total", "Resolved alerts deleted from the store after the keep period.", {},
              static_cast<double>(pruned_.load(std::memory_order_relaxed)));
  audit_->WriteMetrics(out);

  std::lock_guard lock(handling_mu_);
  for (int s = 0; s < 5; ++s) {
    out.Gauge("vigil_alerts_open", "Alerts not yet resolved (open or acknowledged), by severity.",
              {{"severity", std::string(AlertSeverityName(static_cast<AlertSeverity>(s)))}},
              static_cast<double>(handling_.open_by_severity[s]));
  }
  auto histogram = [&](std::string_view name, std::string_view help,
                       const std::vector<std::pair<AlertSeverity, double>>& samples) {
    for (int s = 0; s < 5; ++s) {
      HistogramSample h;
      h.bounds = kHandlingBounds;
      h.buckets.assign(kHandlingBounds.size(), 0);
      for (const auto& [sev, seconds] : samples) {
        if (static_cast<int>(sev) != s) continue;
        ++h.count;
        h.sum += seconds;
        for (size_t i = 0; i < kHandlingBounds.size(); ++i) {
          if (seconds <= kHandlingBounds[i]) ++h.buckets[i];
        }
      }
      out.Histogram(name, help, {{"severity", std::string(AlertSeverityName(static_cast<AlertSeverity>(s)))}}, h);
    }
  };
  histogram("vigil_alert_time_to_acknowledge_seconds",
            "Time from an alert being raised to its acknowledgement, over the alerts in the store.",
            handling_.time_to_ack);
  histogram("vigil_alert_time_to_resolve_seconds",
            "Time from an alert being raised to its resolution, over the alerts in the store.",
            handling_.time_to_resolve);
}

}  // namespace vigil
