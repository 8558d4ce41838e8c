#include "file_event.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "retention_period.h"
#include "vigil/ecs_fields.h"

namespace vigil::retention {

Timestamp FromUnix(int64_t s) { return Timestamp{std::chrono::seconds{ClampUnix(s)}}; }
Timestamp FromNs(int64_t ns) { return Timestamp{std::chrono::nanoseconds{ns < 0 ? 0 : ns}}; }

std::string Octal(uint32_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

std::string JoinHolds(const std::vector<const LegalHold*>& holds) {
  std::string s;
  for (const LegalHold* h : holds) s += (s.empty() ? "" : ",") + h->id;
  return s;
}

Event FileEventBuilder::Build(std::string_view action, std::string_view type, const FileView& f,
                              const Resolution& r, const std::vector<const LegalHold*>& holds) {
  Event e;
  e.Set(ecs::kTimestamp, FromUnix(now_));
  e.Set(ecs::kEventKind, std::string("event"));
  e.Set(ecs::kEventModule, std::string("retention"));
  e.Set(ecs::kEventDataset, std::string("retention.file"));
  e.Set(ecs::kEventCategory, StringList{"file"});
  e.Set(ecs::kEventType, StringList{std::string(type)});
  e.Set(ecs::kEventAction, std::string(action));
  const std::string& path = *f.path;
  e.Set(ecs::kFilePath, path);
  const size_t slash = path.rfind('/');
  if (slash != std::string::npos) {
    e.Set(ecs::kFileName, path.substr(slash + 1));
    e.Set(ecs::kFileDirectory, slash == 0 ? std::string("/") : path.substr(0, slash));
  }
  e.Set(ecs::kFileSize, f.size);
  if (f.sha256 && !f.sha256->empty()) e.Set(ecs::kFileHashSha256, *f.sha256);
  e.Set(ecs::kFileInode, std::to_string(f.ino));
  e.Set(ecs::kFileOwner, names_.User(f.uid));
  e.Set(ecs::kFileGroup, names_.Group(f.gid));
  e.Set(ecs::kFileMode, Octal(f.mode));
  e.Set(ecs::kFileMtime, FromNs(f.mtime_ns));
  e.Set(ecs::kFileCtime, FromNs(f.ctime_ns));
  if (f.birth_ns > 0) e.Set(ecs::kFileCreated, FromNs(f.birth_ns));
  e.Set(ids_.policy, policy_file_);
  if (r.primary) {
    e.Set(ids_.class_id, r.primary->id);
    StringList classes;
    for (const RetentionClass* c : r.classes) classes.push_back(c->id);
    e.Set(ids_.classes, std::move(classes));
    if (r.primary->min) e.Set(ids_.min, r.primary->min->text);
    if (r.primary->max) e.Set(ids_.max, r.primary->max->text);
    e.Set(ids_.clock, r.clock);
    e.Set(ids_.trigger, std::string(TriggerName(r.primary->trigger)));
    e.Set(ids_.immutability, std::string(ImmutabilityName(r.immutability)));
    if (r.clock != "event") {
      const int64_t age = std::max<int64_t>(0, now_ - r.clock_start);
      e.Set(ids_.age, Duration{std::chrono::seconds{age}});
    }
    if (!r.controls.empty()) e.Set(ids_.controls, StringList(r.controls));
  }
  if (!holds.empty()) e.Set(ids_.hold, JoinHolds(holds));
  return e;
}

std::optional<Event> ScanGapEvent(const RetentionFieldIds& ids, const std::string& policy_file, int64_t now,
                                  const WalkStats& w, std::optional<int64_t> late,
                                  const std::vector<std::string>& more_reasons, std::string* message) {
  StringList reasons;
  for (size_t i = 0; i < w.issues.size(); ++i) {
    const auto issue = static_cast<WalkIssue>(i);
    if (w.issues[i] == 0 || issue == WalkIssue::kOtherDevice || issue == WalkIssue::kMissingRoot) continue;
    reasons.push_back(std::string(WalkIssueName(issue)) + "=" + std::to_string(w.issues[i]));
  }
  if (late) reasons.push_back("late");
  for (const std::string& r : more_reasons) reasons.push_back(r);
  if (reasons.empty()) return std::nullopt;
  Event e;
  e.Set(ecs::kTimestamp, FromUnix(now));
  e.Set(ecs::kEventKind, std::string("event"));
  e.Set(ecs::kEventModule, std::string("retention"));
  e.Set(ecs::kEventDataset, std::string("retention.scan"));
  e.Set(ecs::kEventCategory, StringList{"file"});
  e.Set(ecs::kEventType, StringList{"info"});
  e.Set(ecs::kEventAction, std::string("scan_gap"));
  e.Set(ids.policy, policy_file);
  e.Set(ids.files_scanned, static_cast<int64_t>(w.files));
  e.Set(ids.gap_paths, static_cast<int64_t>(w.gaps.size()));
  if (late) e.Set(ids.gap, Duration{std::chrono::seconds{*late}});
  std::string msg = "retention scan incomplete or late:";
  for (const std::string& r : reasons) msg += " " + r;
  if (!w.gaps.empty()) {
    e.Set(ecs::kFilePath, w.gaps.front());
    msg += " (first unread: " + w.gaps.front() + ")";
  }
  e.Set(ids.gap_reasons, std::move(reasons));
  *message = std::move(msg);
  return e;
}

}  // namespace vigil::retention
