#include "retention_collector.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "change_watcher.h"
#include "retention_fields.h"
#include "retention_policy.h"
#include "retention_scan.h"
#include "vigil/log.h"
#include "vigil/time_format.h"

namespace vigil::retention {
namespace {

constexpr size_t kStates = static_cast<size_t>(ItemState::kCount);
constexpr size_t kIssues = static_cast<size_t>(WalkIssue::kCount);
// Changed paths are rescanned once no event came for kSettle, or kMaxDelay after the first.
constexpr std::chrono::milliseconds kSettle{150};
constexpr std::chrono::milliseconds kMaxDelay{1000};

struct RetentionOptions {
  std::shared_ptr<const RetentionPolicy> policy;
  std::vector<std::string> roots;
  std::chrono::seconds interval{3600};
  std::chrono::seconds full_rehash_interval{7 * 86400};
  uint64_t max_files = 10'000'000;
  int max_depth = 256;
  bool cross_device = false;
  int workers = 2;
  bool watch = true;          // live: change notification between scans
  size_t max_watches = 65536;
  std::string watcher = "auto";  // auto | fanotify | inotify
  std::string db;
  std::optional<int64_t> now;  // Unix seconds
  std::string instance;
};

std::string Fixed(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", seconds);
  return buf;
}

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
    const bool live = ctx.mode() == RunMode::kLive;
    std::unique_ptr<ChangeWatcher> watcher;
    bool watch_given_up = !o_.watch;
    std::vector<std::string> gap_reasons;  // for the next full scan
    for (;;) {
      // Watches are set before the scan: what changes while it runs is rescanned after it.
      if (live && !watcher && !watch_given_up) {
        watcher = StartWatcher(scan, ctx);
        watch_given_up = watcher == nullptr;
      }
      const auto started = std::chrono::steady_clock::now();
      ScanRequest req;
      req.walk.roots = o_.roots;
      req.walk.cross_device = o_.cross_device;
      req.walk.max_files = o_.max_files;
      req.walk.max_depth = o_.max_depth;
      req.walk.workers = o_.workers;
      req.gap_reasons = std::move(gap_reasons);
      gap_reasons.clear();
      req.now = o_.now.value_or(WallNow());
      auto last_full = (*store)->GetState("last_full_rehash");
      if (!last_full.ok()) return last_full.status();
      req.full_rehash = o_.full_rehash_interval.count() == 0 ||
                        (last_full->has_value() &&
                         req.now - **last_full >= o_.full_rehash_interval.count());
      if (live) {
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
        CountGaps(ctx, result->walk);
        Publish(*result, req, started, *last_full);
        VIGIL_LOG(kInfo) << "retention scan " << o_.instance << ": " << result->walk.files
                         << " files; stat phase " << Fixed(result->stat_seconds) << " s, hash phase "
                         << Fixed(result->hash_seconds) << " s (" << result->hashed << " files, "
                         << result->hashed_bytes << " bytes)" << (result->stopped ? "; stopped" : "");
      }
      if (ctx.mode() == RunMode::kReplay || ctx.stopping()) return Status::Ok();
      // `interval` runs from the start of one scan to the start of the next.
      const auto next = started + o_.interval;
      if (watcher) {
        const Wait w = WatchUntil(next, scan, ctx, &watcher, &gap_reasons);
        if (w == Wait::kStop) return Status::Ok();
        if (w == Wait::kScanNow) continue;
        if (!watcher) watch_given_up = true;
      }
      const auto wait = std::max<std::chrono::steady_clock::duration>(
          std::chrono::steady_clock::duration::zero(), next - std::chrono::steady_clock::now());
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
    out.Counter("vigil_retention_rescans_total",
                "Rescans of changed paths between scheduled scans (change notification)",
                {{"collector", instance}}, static_cast<double>(rescans_.load(std::memory_order_relaxed)));
    out.Counter("vigil_retention_watch_overflows_total",
                "Change notification queue overflows (each followed by a full scan)",
                {{"collector", instance}}, static_cast<double>(overflows_.load(std::memory_order_relaxed)));
    out.Gauge("vigil_retention_watches", "Directories watched for changes (0: scheduled scans only)",
              {{"collector", instance}}, static_cast<double>(watches_.load(std::memory_order_relaxed)));
    out.Gauge("vigil_retention_scan_duration_seconds", "Duration of the last retention scan",
              {{"collector", instance}}, duration_.load(std::memory_order_relaxed));
    out.Gauge("vigil_retention_last_scan_timestamp_seconds",
              "When the last retention scan finished (Unix time; 0: none yet)",
              {{"collector", instance}}, static_cast<double>(last_scan_.load(std::memory_order_relaxed)));
  }

 private:
  enum class Wait { kStop, kScanNow, kScanDue };

  static void CountGaps(CollectorContext& ctx, const WalkStats& w) {
    // Paths the walk or the hasher could not read, and a walk cut short: coverage gaps.
    ctx.CountGaps(w.issue(WalkIssue::kOpenDir) + w.issue(WalkIssue::kReadDir) + w.issue(WalkIssue::kStat) +
                  w.issue(WalkIssue::kMissingRoot) + w.issue(WalkIssue::kMaxFiles) + w.issue(WalkIssue::kHash));
  }

  std::unique_ptr<ChangeWatcher> StartWatcher(RetentionScan& scan, CollectorContext& ctx) {
    WatchOptions wo;
    wo.roots = o_.roots;
    wo.cross_device = o_.cross_device;
    wo.max_depth = o_.max_depth;
    wo.max_watches = o_.max_watches;
    if (o_.watcher != "inotify") {
      auto f = MakeFanotifyWatcher(wo);
      if (f.ok()) {
        watches_.store((*f)->watches(), std::memory_order_relaxed);
        VIGIL_LOG(kInfo) << "retention " << o_.instance << ": watching " << (*f)->watches()
                         << " filesystem(s) for changes (fanotify)";
        return std::move(*f);
      }
      if (o_.watcher == "fanotify") {
        VIGIL_LOG(kWarning) << "retention " << o_.instance << ": fanotify unavailable ("
                            << f.status().ToString() << "); using inotify";
      } else {
        VIGIL_LOG(kInfo) << "retention " << o_.instance << ": fanotify unavailable ("
                         << f.status().ToString() << "); using inotify";
      }
    }
    ChangeBatch batch;
    auto w = MakeInotifyWatcher(wo, &batch);
    if (!w.ok()) {
      VIGIL_LOG(kWarning) << "retention " << o_.instance << ": no change notification ("
                          << w.status().ToString() << "); changes are seen at the scheduled scans only";
      return nullptr;
    }
    if (batch.limit_reached) {
      WatchLimit(scan, ctx);
      return nullptr;
    }
    watches_.store((*w)->watches(), std::memory_order_relaxed);
    VIGIL_LOG(kInfo) << "retention " << o_.instance << ": watching " << (*w)->watches()
                     << " directories for changes (" << (*w)->kind() << ")";
    return std::move(*w);
  }

  void WatchLimit(RetentionScan& scan, CollectorContext& ctx) {
    watches_.store(0, std::memory_order_relaxed);
    VIGIL_LOG(kWarning) << "retention " << o_.instance << ": the scope needs more than max_watches ("
                        << o_.max_watches << ") directory watches or the kernel refused one; "
                        << "changes are seen at the scheduled scans only";
    // The gap event: a partial scan of nothing, with the reason.
    Rescan({}, {"watch_limit"}, scan, ctx);
  }

  // Between scans: rescans what the watcher reports until `until`. kScanNow after an overflow
  // (`gap_reasons` then says so); the watcher is reset when it gave up.
  Wait WatchUntil(std::chrono::steady_clock::time_point until, RetentionScan& scan, CollectorContext& ctx,
                  std::unique_ptr<ChangeWatcher>* watcher, std::vector<std::string>* gap_reasons) {
    using Clock = std::chrono::steady_clock;
    std::vector<std::string> pending;
    Clock::time_point first{}, last{};
    for (;;) {
      if (ctx.stopping()) return Wait::kStop;
      const auto now = Clock::now();
      if (now >= until && pending.empty()) return Wait::kScanDue;
      auto timeout = pending.empty() ? std::chrono::duration_cast<std::chrono::milliseconds>(until - now)
                                     : std::chrono::milliseconds(25);
      timeout = std::clamp(timeout, std::chrono::milliseconds(0), std::chrono::milliseconds(250));
      ChangeBatch b;
      const Status st = (*watcher)->Poll(timeout, &b);
      if (!st.ok()) {
        VIGIL_LOG(kWarning) << "retention " << o_.instance << ": change notification failed ("
                            << st.ToString() << "); changes are seen at the scheduled scans only";
        watcher->reset();
        watches_.store(0, std::memory_order_relaxed);
        return Wait::kScanDue;
      }
      if (b.overflow) {
        overflows_.fetch_add(1, std::memory_order_relaxed);
        VIGIL_LOG(kWarning) << "retention " << o_.instance
                            << ": change notification queue overflowed; rescanning the whole scope";
        gap_reasons->push_back("queue_overflow");
        return Wait::kScanNow;
      }
      if (b.limit_reached) {
        watcher->reset();
        WatchLimit(scan, ctx);
        return Wait::kScanDue;
      }
      const auto t = Clock::now();
      if (!b.paths.empty()) {
        if (pending.empty()) first = t;
        last = t;
        for (std::string& p : b.paths) pending.push_back(std::move(p));
        watches_.store((*watcher)->watches(), std::memory_order_relaxed);
      }
      if (!pending.empty() && (t - last >= kSettle || t - first >= kMaxDelay)) {
        Rescan(std::move(pending), {}, scan, ctx);
        pending.clear();
      }
    }
  }

  // A partial scan of `paths` (each below one of the roots), through the scan logic.
  void Rescan(std::vector<std::string> paths, std::vector<std::string> reasons, RetentionScan& scan,
              CollectorContext& ctx) {
    ScanRequest req;
    req.partial = true;
    req.walk.partial = true;
    req.walk.cross_device = o_.cross_device;
    req.walk.max_files = o_.max_files;
    req.walk.max_depth = o_.max_depth;
    req.walk.workers = 1;  // a few paths: no threads
    req.gap_reasons = std::move(reasons);
    req.now = o_.now.value_or(WallNow());
    for (std::string& p : CoalescePaths(std::move(paths))) {
      for (const std::string& root : o_.roots) {
        if (!PathUnder(p, root)) continue;
        struct stat st {};
        if (stat(root.c_str(), &st) != 0) break;
        int depth = 0;
        for (size_t i = root.size(); i < p.size(); ++i) depth += p[i] == '/';
        req.walk.roots.push_back(std::move(p));
        req.walk.root_depth.push_back(depth);
        req.walk.root_dev.push_back(static_cast<uint64_t>(st.st_dev));
        break;
      }
    }
    if (req.walk.roots.empty() && req.gap_reasons.empty()) return;
    auto result = scan.Run(req, [&ctx] { return ctx.stopping(); });
    if (!result.ok()) {
      ctx.CountError();
      VIGIL_LOG(kWarning) << "retention rescan " << o_.instance << ": " << result.status().ToString();
      return;
    }
    rescans_.fetch_add(1, std::memory_order_relaxed);
    files_.fetch_add(result->walk.files, std::memory_order_relaxed);
    bytes_.fetch_add(result->hashed_bytes, std::memory_order_relaxed);
    // A changed path that is gone is a deletion, not a root the configuration got wrong.
    WalkStats w = result->walk;
    w.issues[static_cast<size_t>(WalkIssue::kMissingRoot)] = 0;
    for (size_t i = 0; i < kIssues; ++i) issues_[i].fetch_add(w.issues[i], std::memory_order_relaxed);
    CountGaps(ctx, w);
  }

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
  std::atomic<uint64_t> files_{0}, bytes_{0}, scans_{0}, rescans_{0}, overflows_{0}, watches_{0};
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
  o.watch = section.Bool("watch", true);
  o.max_watches = static_cast<size_t>(section.Int("max_watches", 65536, 1, int64_t{1} << 24));
  o.watcher = section.String("watcher", "auto");
  if (o.watcher != "auto" && o.watcher != "fanotify" && o.watcher != "inotify") {
    section.BadValue("watcher", "'" + o.watcher + "' is not auto, fanotify or inotify");
  }
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
