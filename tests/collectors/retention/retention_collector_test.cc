// The `retention` collector as the daemon builds it: config checking, a replay run, a live run
// that scans every interval and stops promptly, and its metrics (every series from the start).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/fanotify.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <algorithm>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "change_watcher.h"
#include "support/test_support.h"
#include "vigil/collector.h"
#include "vigil/config_section.h"
#include "vigil/ecs_fields.h"

namespace vigil {
namespace {

using testing::TempDir;

class Sink : public EventSink {
 public:
  bool Push(Event&& e) override {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
    return true;
  }
  // "action relative-path" of every event so far (paths relative to `base`).
  std::vector<std::string> Lines(const std::string& base) {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const Event& e : events_) {
      const std::string* p = e.GetString(ecs::kFilePath);
      std::string path = p ? *p : "";
      if (path.compare(0, base.size(), base) == 0) path = path.substr(base.size());
      out.push_back(*e.GetString(ecs::kEventAction) + " " + path);
    }
    return out;
  }
  bool Has(const std::string& base, const std::string& line) {
    const auto l = Lines(base);
    return std::find(l.begin(), l.end(), line) != l.end();
  }
  // The first event with this action (after the collector stopped).
  const Event* Find(const std::string& action) {
    std::lock_guard lock(mu_);
    for (const Event& e : events_) {
      if (*e.GetString(ecs::kEventAction) == action) return &e;
    }
    return nullptr;
  }
  std::vector<std::string> Actions() {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const Event& e : events_) out.push_back(*e.GetString(ecs::kEventAction));
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<Event> events_;
};

class Samples : public MetricWriter {
 public:
  void Write(std::string_view name, std::string_view, MetricKind, const MetricLabels& labels,
             double value) override {
    std::string key(name);
    for (const auto& [k, v] : labels) {
      if (k != "collector") key += "," + k + "=" + v;
    }
    values[key] = value;
  }
  std::map<std::string, double> values;
};

// A collector running live on its own thread; Stop() (or the end of the scope) asks it to
// stop, joins it and checks that Run() returned ok.
class LiveRun {
 public:
  explicit LiveRun(Collector& c) : c_(c), thread_([this] { status_ = c_.Run(ctx_); }) {}
  ~LiveRun() { Stop(); }
  LiveRun(const LiveRun&) = delete;
  LiveRun& operator=(const LiveRun&) = delete;

  void Stop() {
    if (!thread_.joinable()) return;
    ctx_.RequestStop();
    thread_.join();
    EXPECT_TRUE(status_.ok()) << status_.ToString();
  }
  // The collector's sample of `name` now (0 when it writes none).
  double Metric(const std::string& name) {
    Samples m;
    c_.WriteMetrics(m, "retention");
    return m.values[name];
  }

  Sink sink;

 private:
  Collector& c_;
  CollectorContext ctx_{"retention", sink, RunMode::kLive, [](std::string_view, std::string_view) {}};
  Status status_;
  std::thread thread_;  // last: starts once everything it uses exists
};

class CollectorFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() + "/srv/rec");
    std::ofstream(dir_.path() + "/srv/rec/a.pdf") << "a";
    std::ofstream(dir_.path() + "/srv/stray") << "s";
    policy_ = dir_.Write("policy.yaml", "classes:\n  - id: rec\n    paths: [\"" + dir_.path() +
                                            "/srv/rec/**\"]\n    min: 6y\nunclassified:\n  paths: [\"" +
                                            dir_.path() + "/srv/**\"]\n");
  }

  Result<std::unique_ptr<Collector>> Create(const std::string& yaml, RunMode mode) {
    const CollectorFactory* f = CollectorRegistry::Global().Find("retention");
    EXPECT_NE(f, nullptr);
    diags_ = Diagnostics();
    ConfigSection section(YAML::Load(yaml), "vigil.yaml", diags_);
    return f->Create(section, CollectorEnv{"retention", dir_.path(), mode});
  }

  TempDir dir_;
  std::string policy_;
  Diagnostics diags_;
};

TEST_F(CollectorFixture, ChecksItsConfigAndPolicy) {
  EXPECT_FALSE(Create("{}", RunMode::kReplay).ok());
  EXPECT_EQ(diags_.items().at(0).code, "E104");
  EXPECT_FALSE(Create("policy: " + policy_ + "\ninterval: soon\nroots: [relative]\ncolour: red\n",
                      RunMode::kReplay).ok());
  std::vector<std::string> codes;
  for (const Diagnostic& d : diags_.items()) codes.push_back(d.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"E103", "E103", "E101"})) << diags_.FormatText();
  const std::string bad = dir_.Write("bad.yaml", "classes:\n  - id: x\n    paths: [\"/a\"]\n    max: 1d\n    min: 2d\n");
  EXPECT_FALSE(Create("policy: " + bad + "\n", RunMode::kReplay).ok());
  ASSERT_FALSE(diags_.items().empty());
  EXPECT_EQ(diags_.items().at(0).code, "E306");
  EXPECT_EQ(diags_.items().at(0).location.file, bad);
  EXPECT_TRUE(Create("policy: " + policy_ + "\n", RunMode::kReplay).ok()) << diags_.FormatText();
}

TEST_F(CollectorFixture, MetricsExistFromTheStartAndCountTheScan) {
  auto c = Create("policy: " + policy_ + "\nnow: 2026-11-23T00:00:00Z\n", RunMode::kReplay);
  ASSERT_TRUE(c.ok()) << diags_.FormatText();
  Samples before;
  (*c)->WriteMetrics(before, "retention");
  EXPECT_EQ(before.values.at("vigil_retention_items,class=rec,state=ok"), 0);
  EXPECT_EQ(before.values.at("vigil_retention_items,class=(none),state=unclassified"), 0);
  EXPECT_EQ(before.values.at("vigil_retention_scan_errors_total,reason=open_dir"), 0);
  EXPECT_EQ(before.values.at("vigil_retention_last_scan_timestamp_seconds"), 0);
  EXPECT_EQ(before.values.count("vigil_retention_items,class=rec,state=unclassified"), 0u);

  Sink sink;
  CollectorContext ctx("retention", sink, RunMode::kReplay, [](std::string_view, std::string_view) {});
  ASSERT_TRUE((*c)->Run(ctx).ok());
  EXPECT_EQ(sink.Actions(), std::vector<std::string>{"unclassified"});
  Samples after;
  (*c)->WriteMetrics(after, "retention");
  EXPECT_EQ(after.values.at("vigil_retention_items,class=rec,state=ok"), 1);
  EXPECT_EQ(after.values.at("vigil_retention_items,class=(none),state=unclassified"), 1);
  EXPECT_EQ(after.values.at("vigil_retention_files_scanned_total"), 2);
  EXPECT_EQ(after.values.at("vigil_retention_scans_total"), 1);
  EXPECT_EQ(after.values.at("vigil_retention_last_scan_timestamp_seconds"), 1795392000);
  // The baseline went to <state_dir>/vigil.db.
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/vigil.db"));
}

TEST_F(CollectorFixture, LiveScansEveryIntervalAndStops) {
  auto c = Create("policy: " + policy_ + "\ninterval: 1s\n", RunMode::kLive);
  ASSERT_TRUE(c.ok()) << diags_.FormatText();
  LiveRun run(**c);
  Sink& sink = run.sink;
  ASSERT_TRUE(testing::Eventually([&] { return run.Metric("vigil_retention_scans_total") >= 1; }));
  std::filesystem::remove(dir_.path() + "/srv/rec/a.pdf");
  ASSERT_TRUE(testing::Eventually([&] {
    const auto a = sink.Actions();
    return std::find(a.begin(), a.end(), "early_deletion") != a.end();
  }));
  run.Stop();
}

TEST_F(CollectorFixture, WorkersAreBoundedWithALocatedError) {
  EXPECT_FALSE(Create("policy: " + policy_ + "\nworkers: 0\n", RunMode::kReplay).ok());
  ASSERT_FALSE(diags_.items().empty());
  EXPECT_EQ(diags_.items().at(0).location.line, 2) << diags_.FormatText();
  EXPECT_FALSE(Create("policy: " + policy_ + "\nworkers: 65\n", RunMode::kReplay).ok());
  EXPECT_FALSE(Create("policy: " + policy_ + "\nmax_watches: 0\n", RunMode::kReplay).ok());
  EXPECT_FALSE(Create("policy: " + policy_ + "\nwatcher: dnotify\n", RunMode::kReplay).ok());
  EXPECT_TRUE(Create("policy: " + policy_ + "\nworkers: 64\nwatch: false\n", RunMode::kReplay).ok())
      << diags_.FormatText();
}

// Live: with a scan interval of an hour, changes are reported as they happen (inotify), each
// through the same scan logic: created, modified, renamed, attributes, deleted early, and
// files in a directory created after the scan.
class LiveFixture : public CollectorFixture, public ::testing::WithParamInterface<std::string> {};

TEST_P(LiveFixture, LiveChangesArriveWithoutWaitingForTheNextScan) {
  auto c = Create("policy: " + policy_ + "\ninterval: 1h\nworkers: 2\nwatcher: " + GetParam() + "\n",
                  RunMode::kLive);
  ASSERT_TRUE(c.ok()) << diags_.FormatText();
  LiveRun run(**c);
  Sink& sink = run.sink;
  auto metric = [&](const std::string& name) { return run.Metric(name); };
  ASSERT_TRUE(testing::Eventually([&] { return metric("vigil_retention_scans_total") >= 1; }));
  if (GetParam() == "inotify") {
    EXPECT_EQ(metric("vigil_retention_watches"), 2);  // srv and srv/rec
  } else {
    // Where fanotify cannot be used, the collector falls back to inotify (and says so).
    EXPECT_GE(metric("vigil_retention_watches"), 1);
  }
  const std::string base = dir_.path() + "/srv";
  const std::string rec = base + "/rec";

  std::ofstream(rec + "/new.pdf") << "new";
  EXPECT_TRUE(testing::Eventually([&] { return sink.Has(base, "file_created /rec/new.pdf"); }))
      << ::testing::PrintToString(sink.Lines(base));
  std::ofstream(rec + "/a.pdf", std::ios::app) << "more";
  EXPECT_TRUE(testing::Eventually([&] { return sink.Has(base, "file_modified /rec/a.pdf"); }))
      << ::testing::PrintToString(sink.Lines(base));
  std::filesystem::rename(rec + "/a.pdf", rec + "/b.pdf");
  EXPECT_TRUE(testing::Eventually([&] { return sink.Has(base, "file_renamed /rec/b.pdf"); }))
      << ::testing::PrintToString(sink.Lines(base));
  std::filesystem::permissions(rec + "/b.pdf", std::filesystem::perms::owner_read);
  EXPECT_TRUE(testing::Eventually([&] { return sink.Has(base, "attributes_changed /rec/b.pdf"); }))
      << ::testing::PrintToString(sink.Lines(base));
  std::filesystem::remove(rec + "/new.pdf");
  EXPECT_TRUE(testing::Eventually([&] { return sink.Has(base, "early_deletion /rec/new.pdf"); }))
      << ::testing::PrintToString(sink.Lines(base));
  std::filesystem::create_directories(rec + "/2026/q4");
  std::ofstream(rec + "/2026/q4/x.pdf") << "x";
  EXPECT_TRUE(testing::Eventually([&] { return sink.Has(base, "file_created /rec/2026/q4/x.pdf"); }))
      << ::testing::PrintToString(sink.Lines(base));
  std::ofstream(rec + "/2026/q4/y.pdf") << "y";  // in a directory watched since its creation
  EXPECT_TRUE(testing::Eventually([&] { return sink.Has(base, "file_created /rec/2026/q4/y.pdf"); }))
      << ::testing::PrintToString(sink.Lines(base));
  // A directory renamed inside the scope: its files are renamed, and it is watched at its new
  // path (its old watches dropped).
  std::filesystem::rename(rec + "/2026", rec + "/2025");
  EXPECT_TRUE(testing::Eventually([&] { return sink.Has(base, "file_renamed /rec/2025/q4/y.pdf"); }))
      << ::testing::PrintToString(sink.Lines(base));
  std::ofstream(rec + "/2025/q4/z.pdf") << "z";
  EXPECT_TRUE(testing::Eventually([&] { return sink.Has(base, "file_created /rec/2025/q4/z.pdf"); }))
      << ::testing::PrintToString(sink.Lines(base));
  std::filesystem::remove_all(rec + "/2025");
  EXPECT_TRUE(testing::Eventually([&] { return sink.Has(base, "early_deletion /rec/2025/q4/y.pdf"); }))
      << ::testing::PrintToString(sink.Lines(base));
  EXPECT_TRUE(testing::Eventually([&] { return sink.Has(base, "early_deletion /rec/2025/q4/z.pdf"); }))
      << ::testing::PrintToString(sink.Lines(base));

  EXPECT_EQ(metric("vigil_retention_scans_total"), 1);  // all of it without a scheduled scan
  EXPECT_GE(metric("vigil_retention_rescans_total"), 1);
  // Each change was reported once: no second file_created for new.pdf.
  const auto lines = sink.Lines(base);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "file_created /rec/new.pdf"), 1);
  run.Stop();
}

// A change notification queue overflow (IN_Q_OVERFLOW or FAN_Q_OVERFLOW, injected into the
// watcher's event decoding): a scan_gap with reason queue_overflow, a rescan of the whole scope
// at once, and what changed meanwhile reported once. (fanotify falls back to inotify where it
// cannot be used: then both runs test inotify.)
TEST_P(LiveFixture, AQueueOverflowRaisesAGapAndRescansTheScope) {
  auto c = Create("policy: " + policy_ + "\ninterval: 1h\nwatcher: " + GetParam() + "\n", RunMode::kLive);
  ASSERT_TRUE(c.ok()) << diags_.FormatText();
  LiveRun run(**c);
  Sink& sink = run.sink;
  auto metric = [&](const std::string& name) { return run.Metric(name); };
  ASSERT_TRUE(testing::Eventually([&] { return metric("vigil_retention_scans_total") >= 1; }));
  EXPECT_EQ(metric("vigil_retention_watch_overflows_total"), 0);
  const std::string base = dir_.path() + "/srv";
  retention::InjectWatcherOverflowForTesting();
  std::filesystem::remove(base + "/rec/a.pdf");
  EXPECT_TRUE(testing::Eventually([&] { return metric("vigil_retention_scans_total") >= 2; }));
  EXPECT_TRUE(testing::Eventually([&] { return sink.Has(base, "early_deletion /rec/a.pdf"); }))
      << ::testing::PrintToString(sink.Lines(base));
  EXPECT_EQ(metric("vigil_retention_watch_overflows_total"), 1);
  const auto lines = sink.Lines(base);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "early_deletion /rec/a.pdf"), 1)
      << ::testing::PrintToString(lines);
  // The gap event of the scan that followed the overflow.
  run.Stop();
  const Event* gap = sink.Find("scan_gap");
  ASSERT_NE(gap, nullptr) << ::testing::PrintToString(lines);
  EXPECT_EQ(*gap->GetString(ecs::kEventDataset), "retention.scan");
  const auto reasons_id = FieldRegistry::Global().Find("vigil.retention.gap_reasons");
  ASSERT_TRUE(reasons_id.has_value());
  const StringList* reasons = gap->GetList(*reasons_id);
  ASSERT_NE(reasons, nullptr);
  EXPECT_NE(std::find(reasons->begin(), reasons->end(), "queue_overflow"), reasons->end())
      << ::testing::PrintToString(*reasons);
}

INSTANTIATE_TEST_SUITE_P(Watchers, LiveFixture, ::testing::Values("inotify", "fanotify"));

// fanotify with directory handles and names can mark the filesystems of `dirs`.
bool FanotifyCanMark(std::initializer_list<std::string> dirs) {
  const int probe = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_DFID_NAME, O_RDONLY);
  if (probe < 0) return false;
  bool ok = true;
  for (const std::string& d : dirs) {
    ok = ok && fanotify_mark(probe, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_CREATE, AT_FDCWD, d.c_str()) == 0;
  }
  close(probe);
  return ok;
}

// Runs `child` in a forked process with a private mount namespace and returns its exit code
// (77 from the child: a namespace, tmpfs or fanotify cannot be had here, skip). Plain exit
// codes in the child: no gtest assertions there.
int InPrivateMountNamespace(const std::function<int()>& child) {
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (unshare(CLONE_NEWNS) != 0) _exit(77);
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) _exit(77);
    _exit(child());
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// A live retention collector on its own thread in a child process, with its metrics.
struct ChildRun {
  explicit ChildRun(Collector& c) : collector(c), ctx("retention", sink, RunMode::kLive, [](std::string_view, std::string_view) {}) {
    thread = std::thread([this] { (void)collector.Run(ctx); });
  }
  ~ChildRun() {
    ctx.RequestStop();
    thread.join();
  }
  double Metric(const std::string& name) {
    Samples m;
    collector.WriteMetrics(m, "retention");
    return m.values[name];
  }
  Collector& collector;
  Sink sink;
  CollectorContext ctx;
  std::thread thread;
};

// fanotify with cross_device marks the filesystems mounted below a root too: in a child process
// with its own mount namespace (root only; skipped elsewhere), a tmpfs mounted in the scope,
// and a file created on it arrives live.
TEST_F(CollectorFixture, FanotifyMarksFilesystemsMountedBelowARoot) {
  const std::string base = dir_.path() + "/srv";
  const std::string mnt = base + "/rec/mnt";
  std::filesystem::create_directories(mnt);
  const int code = InPrivateMountNamespace([&] {
    if (mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=1m") != 0) return 77;
    if (!FanotifyCanMark({mnt, base})) return 77;
    auto c = Create("policy: " + policy_ + "\ninterval: 1h\ncross_device: true\nwatcher: fanotify\n",
                    RunMode::kLive);
    if (!c.ok()) return 2;
    ChildRun run(**c);
    if (!testing::Eventually([&] { return run.Metric("vigil_retention_scans_total") >= 1; })) return 3;
    // Two filesystems marked: the temporary directory's and the tmpfs.
    if (run.Metric("vigil_retention_watches") != 2) return 4;
    std::ofstream(mnt + "/x.pdf") << "x";
    if (!testing::Eventually([&] { return run.sink.Has(base, "file_created /rec/mnt/x.pdf"); })) return 5;
    return 0;
  });
  if (code == 77) GTEST_SKIP() << "no private mount namespace, tmpfs or fanotify here";
  EXPECT_EQ(code, 0) << "2: create, 3: no scan, 4: watches, 5: no live event";
}

// ... and those mounted after it started: the mount table's change is noticed, the new
// filesystem marked, its mount point rescanned at once (a file already on it is reported),
// and a file created on it later arrives live; a lazy unmount releases it and rescans the
// mount point.
TEST_F(CollectorFixture, FanotifyMarksFilesystemsMountedAfterItStarted) {
  const std::string base = dir_.path() + "/srv";
  const std::string mnt = base + "/rec/mnt";
  std::filesystem::create_directories(mnt);
  const int code = InPrivateMountNamespace([&] {
    if (mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=1m") != 0) return 77;
    const bool markable = FanotifyCanMark({mnt, base});
    if (umount(mnt.c_str()) != 0 || !markable) return 77;
    auto c = Create("policy: " + policy_ + "\ninterval: 1h\ncross_device: true\nwatcher: fanotify\n",
                    RunMode::kLive);
    if (!c.ok()) return 2;
    ChildRun run(**c);
    if (!testing::Eventually([&] { return run.Metric("vigil_retention_scans_total") >= 1; })) return 3;
    if (run.Metric("vigil_retention_watches") != 1) return 4;
    if (mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=1m") != 0) return 77;
    std::ofstream(mnt + "/x.pdf") << "x";
    if (!testing::Eventually([&] { return run.sink.Has(base, "file_created /rec/mnt/x.pdf"); })) return 5;
    if (!testing::Eventually([&] { return run.Metric("vigil_retention_watches") == 2; })) return 6;
    std::ofstream(mnt + "/y.pdf") << "y";
    if (!testing::Eventually([&] { return run.sink.Has(base, "file_created /rec/mnt/y.pdf"); })) return 7;
    // Vigil holds it busy, but lets a lazy unmount take it: the mark and handle released, the
    // mount point rescanned (the files that were on it are gone from the scope).
    if (umount2(mnt.c_str(), MNT_DETACH) != 0) return 9;
    if (!testing::Eventually([&] { return run.Metric("vigil_retention_watches") == 1; })) return 10;
    if (!testing::Eventually([&] { return run.sink.Has(base, "early_deletion /rec/mnt/y.pdf"); })) return 11;
    if (run.Metric("vigil_retention_scans_total") != 1) return 8;  // all of it without a scheduled scan
    return 0;
  });
  if (code == 77) GTEST_SKIP() << "no private mount namespace, tmpfs or fanotify here";
  EXPECT_EQ(code, 0) << "2: create, 3: no scan, 4: watches at start, 5: file on the new mount not reported, "
                        "6: new mount not marked, 7: no live event on it, 8: a scheduled scan ran, "
                        "9: umount, 10: not released, 11: its files not rescanned";
}

// More directories than max_watches: scheduled scans only, said with a scan_gap event.
TEST_F(CollectorFixture, PastTheWatchLimitScansOnlyAndSaysSo) {
  auto c = Create("policy: " + policy_ + "\ninterval: 1h\nmax_watches: 1\nwatcher: inotify\n", RunMode::kLive);
  ASSERT_TRUE(c.ok()) << diags_.FormatText();
  LiveRun run(**c);
  Sink& sink = run.sink;
  const std::string base = dir_.path() + "/srv";
  EXPECT_TRUE(testing::Eventually([&] { return sink.Has(base, "scan_gap "); }))
      << ::testing::PrintToString(sink.Lines(base));
  ASSERT_TRUE(testing::Eventually([&] { return run.Metric("vigil_retention_scans_total") >= 1; }));
  EXPECT_EQ(run.Metric("vigil_retention_watches"), 0);
  run.Stop();
}

}  // namespace
}  // namespace vigil
