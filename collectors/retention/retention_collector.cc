#include "retention_collector.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "retention_fields.h"
#include "retention_policy.h"
#include "retention_scan.h"
#include "vigil/log.h"
#include "vigil/time_format.h"

namespace vigil::retention {
namespace {

constexpr size_t kStates = static_cast<size_t>(ItemState::kCount);
constexpr size_t kIssues = static_cast<size_t>(WalkIssue::kCount);

struct RetentionOptions {
  std::shared_ptr<const RetentionPolicy> policy;
  std::vector<std::string> roots;
  std::chrono::seconds interval{3600};
  std::chrono::seconds full_rehash_interval{7 * 86400};
  uint64_t max_files = 10'000'000;
  int max_depth = 256;
  bool cross_device = false;
  int workers = 2;
  std::string db;
  std::optional<int64_t> now;  // Unix seconds
  std::string instance;
};

int64_t WallNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class RetentionCollector : public Collector {
 public:
  RetentionCollector(RetentionOptions o, RetentionFieldIds ids)
      : o_(std::move(o)), ids_(ids), items_(o_.policy->classes.size() + 1) {
    for (auto& row : items_) {
      for (auto& v : row) v.store(0);
    }
  }

  Status Run(CollectorContext& ctx) override {
    auto store = BaselineStore::Open(o_.db);
    if (!store.ok()) return store.status();
    RetentionScan scan(*o_.policy, **store,
                       ids_, [&ctx](Event&& e) {
                         return ctx.Emit(std::move(e)) || ctx.mode() == RunMode::kLive;
                       });
    for (;;) {
      const auto started = std::chrono::steady_clock::now();
      ScanRequest req;
      req.walk.roots = o_.roots;
      req.walk.cross_device = o_.cross_device;
      req.walk.max_files = o_.max_files;
      req.walk.max_depth = o_.max_depth;
      req.walk.workers = o_.workers;
      req.now = o_.now.value_or(WallNow());
      auto last_full = (*store)->GetState("last_full_rehash");
      if (!last_full.ok()) return last_full.status();
      req.full_rehash = o_.full_rehash_interval.count() == 0 ||
                        (last_full->has_value() &&
                         req.now - **last_full >= o_.full_rehash_interval.count());
      if (ctx.mode() == RunMode::kLive) {
        auto last_end = (*store)->GetState("last_scan_end");
        if (!last_end.ok()) return last_end.status();
        if (last_end->has_value()) {
          req.previous_end = **last_end;
          // Late: more than half an interval after the scan was due.
          req.expected_by = **last_end + o_.interval.count() + o_.interval.count() / 2;
        }
      }
      auto result = scan.Run(req, [&ctx] { return ctx.stopping(); });
      if (!result.ok()) {
        ctx.CountError();
        if (ctx.mode() == RunMode::kReplay) return result.status();
        VIGIL_LOG(kWarning) << "retention scan " << o_.instance << ": " << result.status().ToString();
      } else {
        // Paths the walk or the hasher could not read, and a walk cut short: coverage gaps.
        const WalkStats& w = result->walk;
        ctx.CountGaps(w.issue(WalkIssue::kOpenDir) + w.issue(WalkIssue::kReadDir) + w.issue(WalkIssue::kStat) +
                      w.issue(WalkIssue::kMissingRoot) + w.issue(WalkIssue::kMaxFiles) + w.issue(WalkIssue::kHash));
        Publish(*result, req, started, *last_full);
      }
      if (ctx.mode() == RunMode::kReplay || ctx.stopping()) return Status::Ok();
      // `interval` runs from the start of one scan to the start of the next.
      const auto elapsed = std::chrono::steady_clock::now() - started;
      const auto wait = std::max<std::chrono::steady_clock::duration>(
          std::chrono::steady_clock::duration::zero(), o_.interval - elapsed);
      if (!ctx.SleepFor(std::chrono::duration_cast<std::chrono::milliseconds>(wait))) {
        return Status::Ok();
      }
    }
  }

  void WriteMetrics(MetricWriter& out, const std::string& instance) const override {
    const size_t n = o_.policy->classes.size();
    for (size_t c = 0; c <= n; ++c) {
      const std::string cls = c < n ? o_.policy->classes[c].id : "(none)";
      for (size_t s = 0; s < kStates; ++s) {
        // Files matching no class are only ever "unclassified"; classes are never that.
        const bool meaningful = c < n ? s != static_cast<size_t>(ItemState::kUnclassified)
                                      : s == static_cast<size_t>(ItemState::kUnclassified);
        if (!meaningful) continue;
        out.Gauge("vigil_retention_items", "Files per retention class and state at the last complete scan",
                  {{"collector", instance}, {"class", cls},
                   {"state", std::string(ItemStateName(static_cast<ItemState>(s)))}},
                  static_cast<double>(items_[c][s].load(std::memory_order_relaxed)));
      }
    }
    out.Counter("vigil_retention_files_scanned_total", "Files looked at by retention scans",
                {{"collector", instance}}, static_cast<double>(files_.load(std::memory_order_relaxed)));
    out.Counter("vigil_retention_hashed_bytes_total", "Bytes read to hash files",
                {{"collector", instance}}, static_cast<double>(bytes_.load(std::memory_order_relaxed)));
    out.Counter("vigil_retention_scans_total", "Retention scans completed",
                {{"collector", instance}}, static_cast<double>(scans_.load(std::memory_order_relaxed)));
    for (size_t i = 0; i < kIssues; ++i) {
      out.Counter("vigil_retention_scan_errors_total",
                  "Paths a retention scan could not read or skipped, by reason",
                  {{"collector", instance}, {"reason", std::string(WalkIssueName(static_cast<WalkIssue>(i)))}},
                  static_cast<double>(issues_[i].load(std::memory_order_relaxed)));
    }
    out.Gauge("vigil_retention_scan_duration_seconds", "Duration of the last retention scan",
              {{"collector", instance}}, duration_.load(std::memory_order_relaxed));
    out.Gauge("vigil_retention_last_scan_timestamp_seconds",
              "When the last retention scan finished (Unix time; 0: none yet)",
              {{"collector", instance}}, static_cast<double>(last_scan_.load(std::memory_order_relaxed)));
  }

 private:
  void Publish(const ScanResult& r, const ScanRequest& req, std::chrono::steady_clock::time_point started,
               std::optional<int64_t> /*last_full*/) {
    files_.fetch_add(r.walk.files, std::memory_order_relaxed);
    bytes_.fetch_add(r.hashed_bytes, std::memory_order_relaxed);
    for (size_t i = 0; i < kIssues; ++i) issues_[i].fetch_add(r.walk.issues[i], std::memory_order_relaxed);
    duration_.store(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
                    std::memory_order_relaxed);
    if (r.stopped) return;  // an interrupted scan says nothing about the whole tree
    scans_.fetch_add(1, std::memory_order_relaxed);
    last_scan_.store(req.now, std::memory_order_relaxed);
    for (size_t c = 0; c < items_.size() && c < r.items.size(); ++c) {
      for (size_t s = 0; s < kStates; ++s) items_[c][s].store(r.items[c][s], std::memory_order_relaxed);
    }
  }

  RetentionOptions o_;
  RetentionFieldIds ids_;
  std::vector<std::array<std::atomic<int64_t>, kStates>> items_;
  std::array<std::atomic<uint64_t>, kIssues> issues_{};
  std::atomic<uint64_t> files_{0}, bytes_{0}, scans_{0};
  std::atomic<double> duration_{0};
  std::atomic<int64_t> last_scan_{0};
};

}  // namespace

Status RetentionCollectorFactory::DeclareFields(FieldRegistry& fields) const {
  auto ids = DeclareRetentionFields(fields);
  if (!ids.ok()) return ids.status();
  return Status::Ok();
}

Result<std::unique_ptr<Collector>> RetentionCollectorFactory::Create(ConfigSection& section,
                                                                     const CollectorEnv& env) const {
  const size_t errors_before = section.diagnostics().error_count();
  RetentionOptions o;
  o.instance = env.instance;
  const std::string policy_path = section.RequiredString("policy");
  std::vector<std::string> roots = section.StringList("roots");
  for (const std::string& r : roots) {
    if (r.empty() || r[0] != '/') section.BadValue("roots", "'" + r + "' is not an absolute path");
  }
  const auto interval = section.DurationValue("interval", std::chrono::hours(1));
  if (interval < std::chrono::seconds(1)) section.BadValue("interval", "must be at least 1s");
  o.interval = std::chrono::duration_cast<std::chrono::seconds>(interval);
  o.full_rehash_interval = std::chrono::duration_cast<std::chrono::seconds>(
      section.DurationValue("full_rehash_interval", std::chrono::hours(24 * 7)));
  o.max_files = static_cast<uint64_t>(section.Int("max_files", 10'000'000, 1, int64_t{1} << 40));
  o.max_depth = static_cast<int>(section.Int("max_depth", 256, 1, 4096));
  o.cross_device = section.Bool("cross_device", false);
  o.workers = static_cast<int>(section.Int("workers", 2, 1, kMaxWorkers));
  o.db = section.String("db", "");
  if (auto now = section.OptionalString("now")) {
    auto t = ParseRfc3339(*now);
    if (!t) section.BadValue("now", "'" + *now + "' is not an RFC 3339 time");
    else o.now = std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count();
  }
  section.Finish();

  if (!policy_path.empty()) {
    auto policy = LoadPolicyFile(policy_path, section.diagnostics());
    if (policy.ok()) o.policy = std::make_shared<const RetentionPolicy>(std::move(*policy));
  }
  if (section.diagnostics().error_count() > errors_before || !o.policy) {
    return Status::InvalidArgument("invalid retention collector '" + env.instance + "'");
  }
  o.roots = roots.empty() ? o.policy->Roots() : roots;
  if (o.db.empty()) {
    if (env.state_dir.empty()) return Status::InvalidArgument("retention collector '" + env.instance + "': no state_dir and no db");
    o.db = env.state_dir + "/vigil.db";
  }
  // Field ids: the process-wide registry holds them (DeclareFields ran at start-up).
  auto ids = DeclareRetentionFields(FieldRegistry::Global());
  if (!ids.ok()) return ids.status();
  return std::unique_ptr<Collector>(std::make_unique<RetentionCollector>(std::move(o), *ids));
}

VIGIL_REGISTER_COLLECTOR(RetentionCollectorFactory);

}  // namespace vigil::retention
