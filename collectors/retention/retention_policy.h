// RetentionPolicy: what a compliance officer's policy file says (DESIGN.md "Retention
// policies"), loaded and validated, and how it applies to one file.
//
// Loading (LoadPolicyFile / LoadPolicyString) reads the YAML through ConfigSection, so every
// problem is a located diagnostic (FILE:LINE:COL): E100-E105 for the generic ones (YAML
// syntax, unknown key, wrong type, bad value, missing key, duplicate key) and E3xx for the
// retention-specific ones listed in docs/retention.md. All problems of a file are reported.
//
// Applying (Resolve, ActiveHolds): every class whose paths match a file applies to it; the
// precedence rules of docs/retention.md combine them (the latest end of a minimum wins, the
// earliest end of a maximum wins, the strictest immutability wins, an active hold suspends
// every deletion duty). Resolve computes due dates from the file's clock start per class.
//
// A loaded policy is immutable; share it between threads freely.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "path_glob.h"
#include "retention_period.h"
#include "vigil/diagnostic.h"
#include "vigil/status.h"

namespace vigil::retention {

enum class Trigger { kCreated, kModified, kFirstSeen, kEvent };
enum class Immutability { kNone, kAppendOnly, kWorm };  // ordered: stricter is larger

std::string_view TriggerName(Trigger t);
std::string_view ImmutabilityName(Immutability i);
// Every name Resolution::clock can take ("" when no class applies).
inline constexpr std::string_view kClockNames[] = {"", "birth", "first_seen", "mtime", "event"};

struct RetentionClass {
  std::string id;
  std::vector<PathGlob> paths;
  std::optional<RetentionPeriod> min, max;
  Trigger trigger = Trigger::kCreated;
  std::string trigger_event;  // for Trigger::kEvent, the <name> of event:<name>
  Immutability immutability = Immutability::kNone;
  std::optional<RetentionPeriod> expiring_soon;
  std::map<std::string, std::vector<std::string>> controls;  // framework -> control ids
  bool Matches(std::string_view path) const;
};

struct LegalHold {
  std::string id;
  std::vector<PathGlob> paths;
  std::string issued_by;
  int64_t from = 0;                  // Unix seconds
  std::optional<int64_t> until;      // exclusive; nullopt: until lifted
  bool ActiveAt(int64_t now) const { return now >= from && (!until || now < *until); }
  bool Matches(std::string_view path) const;
};

struct UnclassifiedScope {
  std::vector<PathGlob> paths;  // empty: no unclassified reporting
  std::string severity = "medium";
  bool Matches(std::string_view path) const;
};

// When the clock of a file started, per the file's facts (all Unix seconds; 0 = unknown).
struct FileClocks {
  int64_t birth = 0;       // statx birth time, 0 when the filesystem has none
  int64_t first_seen = 0;  // when Vigil first saw the file
  int64_t mtime = 0;       // as stat reports it (may be set back by the owner)
  int64_t changed_at = 0;  // when Vigil last saw the content change (0: never)
};

// The combined duties of every class that matches one path.
struct Resolution {
  std::vector<const RetentionClass*> classes;  // in policy order; empty: unclassified
  const RetentionClass* primary = nullptr;     // the class named in events (see docs)
  std::optional<int64_t> min_due;  // keep until then (Unix s); nullopt: no minimum
  bool min_pending = false;        // a minimum whose clock (event:<name>) has not started
  std::optional<int64_t> max_due;  // gone by then; nullopt: no maximum
  std::optional<int64_t> soon_from;  // expiring_soon notice from then (before the nearest due)
  Immutability immutability = Immutability::kNone;
  std::string clock;       // birth | first_seen | mtime | event (of the primary class)
  int64_t clock_start = 0; // of the primary class
  std::vector<std::string> controls;  // "framework:control", sorted, unique
};

class RetentionPolicy {
 public:
  std::vector<RetentionClass> classes;
  std::vector<LegalHold> holds;
  UnclassifiedScope unclassified;
  std::string file;  // where it was loaded from

  Resolution Resolve(std::string_view path, const FileClocks& clocks) const;
  // Holds covering `path` that are active at `now`, in policy order.
  std::vector<const LegalHold*> ActiveHolds(std::string_view path, int64_t now) const;
  // Directories to scan so that every path any class, hold or the unclassified scope can
  // match is found: the patterns' fixed prefixes, without those under another one.
  std::vector<std::string> Roots() const;
};

// The duties of a file that the classes `matched` (in policy order) apply to: what
// RetentionPolicy::Resolve gives once it has found them.
Resolution CombineClasses(std::vector<const RetentionClass*> matched, const FileClocks& clocks);

// The policy applied to many files, a directory at a time (a scan reports the files of a
// directory one after another). On the first file of a directory, the globs of every class,
// hold and of the unclassified scope are stepped through the directory's segments once
// (PathGlob::State), and decide for all of its files where they can: `/srv/med/**` matches
// every file under /srv/med, `/srv/hr/*/x.pdf` none under /srv/legal. A file then costs only
// the match of its name against the globs left undecided (none for most policies). The
// answers are exactly those of RetentionPolicy::Resolve, ActiveHolds and
// UnclassifiedScope::Matches for the same path. Holds are those active at `now`.
//
// Not thread-safe (it keeps the last directory): one per thread; the policy must outlive it.
class PolicyMatcher {
 public:
  PolicyMatcher(const RetentionPolicy& policy, int64_t now);

  Resolution Resolve(std::string_view path, const FileClocks& clocks);
  std::vector<const LegalHold*> ActiveHolds(std::string_view path);
  bool Unclassified(std::string_view path);

 private:
  // One class, hold or the unclassified scope in the current directory.
  struct Item {
    bool all = false;  // a glob matches every file of the directory
    std::vector<std::pair<const PathGlob*, PathGlob::State>> some;  // undecided globs
  };
  // Splits `path` into directory and name and makes that directory current; false when the
  // path has no name to match on its own (then the policy answers directly).
  bool Enter(std::string_view path, std::string_view* name);
  static void Decide(const std::vector<PathGlob>& globs, const std::vector<std::string_view>& dir, Item* item);
  static bool Match(const Item& item, std::string_view name);

  const RetentionPolicy& policy_;
  const int64_t now_;
  bool have_dir_ = false;
  std::string dir_;  // the current directory, as the paths give it (before the last '/')
  std::vector<Item> classes_;  // per class, in policy order
  std::vector<Item> holds_;    // per hold (inactive holds: never match)
  Item unclassified_;
  std::vector<std::string_view> segments_;  // scratch
};

// Limits that keep a hostile policy file bounded.
inline constexpr size_t kMaxPolicyBytes = 4 << 20;
inline constexpr size_t kMaxPolicyItems = 10000;   // classes + holds
inline constexpr size_t kMaxPathsPerItem = 1000;

// The frameworks a class's controls may name.
bool KnownFramework(std::string_view name);

Result<RetentionPolicy> LoadPolicyString(std::string_view text, const std::string& file,
                                         Diagnostics& diags);
Result<RetentionPolicy> LoadPolicyFile(const std::string& path, Diagnostics& diags);

}  // namespace vigil::retention
