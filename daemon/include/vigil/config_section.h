// ConfigSection: schema checking by reading. A component reads its part of a YAML file
// through a ConfigSection, declaring each key it accepts with its type and default; every
// wrong type or bad value becomes a located diagnostic, and Finish() reports each key that
// nobody read as an unknown key. One file's problems are all reported, not just the first.
//
// Used by the daemon config, each collector factory (for its own section), and later the
// rule and retention-policy loaders. Not thread-safe; used while loading, on one thread.
//
// Codes: E100 YAML syntax, E101 unknown key, E102 wrong type, E103 bad value,
// E104 missing required key.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/diagnostic.h"

namespace vigil {

class ConfigSection {
 public:
  // `node` is a map (or null, read as an empty map); `file` names it in diagnostics.
  ConfigSection(YAML::Node node, std::string file, Diagnostics& diags);

  // Typed reads. A missing key gives the default; a present key of the wrong type records
  // E102 and gives the default. Required variants record E104 when the key is missing.
  std::string String(std::string_view key, std::string_view def = "");
  std::optional<std::string> OptionalString(std::string_view key);
  std::string RequiredString(std::string_view key);
  int64_t Int(std::string_view key, int64_t def, int64_t min = INT64_MIN, int64_t max = INT64_MAX);
  bool Bool(std::string_view key, bool def);
  // Durations as "30s", "5m", "2h", "7d", "1w"; a bare integer is seconds.
  std::chrono::nanoseconds DurationValue(std::string_view key, std::chrono::nanoseconds def);
  // A byte size such as 512MiB (see ParseByteSize).
  uint64_t ByteSizeValue(std::string_view key, uint64_t def);
  // A string that must be one of `choices`.
  std::string Enum(std::string_view key, std::string_view def,
                   std::initializer_list<std::string_view> choices);
  std::vector<std::string> StringList(std::string_view key);
  // A nested map read as its own section (shares the diagnostics).
  ConfigSection Section(std::string_view key);
  // A list of maps, each as a section.
  std::vector<ConfigSection> SectionList(std::string_view key);

  bool Has(std::string_view key) const;
  // The location of `key`'s value (or of this section when key is empty or missing).
  SourceLocation Where(std::string_view key = "") const;
  // Records E103 at `key`'s value.
  void BadValue(std::string_view key, std::string message);

  // Reports keys nobody read (E101). Call once, after reading every key.
  void Finish();

  const YAML::Node& node() const { return node_; }
  const std::string& file() const { return file_; }
  Diagnostics& diagnostics() { return *diags_; }

 private:
  YAML::Node Lookup(std::string_view key);
  SourceLocation LocOf(const YAML::Node& n) const;
  void WrongType(std::string_view key, const YAML::Node& n, std::string_view want);

  YAML::Node node_;
  std::string file_;
  Diagnostics* diags_;
  std::set<std::string, std::less<>> read_;
};

// Parses "90s", "15m", "2h", "7d", "2w" (and a bare number of seconds).
std::optional<std::chrono::nanoseconds> ParseDuration(std::string_view text);

// Parses a whole number of bytes with an optional binary unit: "4096", "64KiB", "512MiB",
// "2GiB", "1TiB" (also "B"). Decimal units (MB, GB) are refused rather than guessed at;
// sizes of 1 PiB or more are refused.
std::optional<uint64_t> ParseByteSize(std::string_view text);

}  // namespace vigil
