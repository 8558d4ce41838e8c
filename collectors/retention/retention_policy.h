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
