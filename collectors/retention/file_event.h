// FileEvent: the ECS event a retention scan reports about one file (`retention.file`
// dataset): the file's facts (path, size, times, owner, mode, hash), the policy's resolution
// for it (class, periods, clock, age, controls) and the holds over it. Every scan finding
// (created, renamed, modified, deleted, overdue, early_deletion, ...) starts from it; the
// scan adds what is particular to the finding (message, due date, previous hash).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "baseline_store.h"
#include "owner_names.h"
#include "retention_fields.h"
#include "retention_policy.h"
#include "tree_walker.h"
#include "vigil/event.h"

namespace vigil::retention {

// A file's facts as an event shows them, read from the walk or from the baseline.
struct FileView {
  const std::string* path;
  int64_t size, mtime_ns, ctime_ns, birth_ns;
  uint64_t ino;
  uint32_t mode, uid, gid;
  const std::string* sha256;  // null or empty: no hash known

  static FileView Of(const BaselineRecord& rec) {
    return FileView{&rec.path, rec.size, rec.mtime_ns, rec.ctime_ns, rec.key.birth_ns, rec.key.ino,
                    rec.mode, rec.uid, rec.gid, &rec.sha256};
  }
  static FileView Of(const FileFacts& f, const std::string* sha) {
    return FileView{&f.path, f.size, f.mtime_ns, f.ctime_ns, f.birth_ns, f.ino, f.mode, f.uid, f.gid, sha};
  }
};

Timestamp FromUnix(int64_t s);   // Unix seconds, clamped to what a Timestamp holds
Timestamp FromNs(int64_t ns);    // Unix nanoseconds; negative: the epoch
std::string Octal(uint32_t mode);  // "0644": the permission bits, as file.mode shows them
std::string JoinHolds(const std::vector<const LegalHold*>& holds);  // "h1,h2"

// The scan_gap event (`retention.scan` dataset) of a scan whose walk met issues, that started
// late (`late`: seconds since the previous scan ended) or has `more_reasons`; none when none
// of these holds. `message`: its message.
std::optional<Event> ScanGapEvent(const RetentionFieldIds& ids, const std::string& policy_file, int64_t now,
                                  const WalkStats& w, std::optional<int64_t> late,
                                  const std::vector<std::string>& more_reasons, std::string* message);

// Builds the events of one scan (its time, its policy file); keeps the owner-name cache.
class FileEventBuilder {
 public:
  FileEventBuilder(const RetentionFieldIds& ids, const std::string& policy_file, int64_t now)
      : ids_(ids), policy_file_(policy_file), now_(now) {}
  // `action`: event.action; `type`: event.type (creation, change, deletion, info).
  Event Build(std::string_view action, std::string_view type, const FileView& f, const Resolution& r,
              const std::vector<const LegalHold*>& holds);

 private:
  const RetentionFieldIds& ids_;
  const std::string& policy_file_;
  const int64_t now_;
  OwnerNames names_;
};

}  // namespace vigil::retention
