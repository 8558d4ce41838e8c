// RuleReader: the first stage of loading. Reads one rule file (YAML) into raw items with
// their source locations, checking shapes only: keys known (E201), types right (E202),
// required keys present (E203), ids well formed (E213), severities valid (E212), sizes
// within limits (E214). Conditions, templates and names are checked by the compiler.
//
// File shape: one or more YAML documents, each a sequence; every element is a map with
// exactly one of the keys `rule`, `macro`, `list`, `exception` (its id or name), e.g.
//   - rule: ssh.root_login
//     name: Root logged in over SSH
//     condition: event.dataset = access.sshd and user.name = root
//     severity: high
// Hostile input gives a located error, never a crash or a hang: unreadable files and files
// that are not regular files (FIFO, directory, device) E200, huge files E214, deep nesting,
// too many nodes and alias bombs E227 (limits for the whole file, see yaml_load.h).
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "scalar_location.h"
#include "vigil/diagnostic.h"
#include "vigil/event.h"
#include "vigil/rules/alert.h"

namespace vigil::rules {

inline constexpr size_t kMaxRuleFileBytes = 16 * 1024 * 1024;
inline constexpr size_t kMaxListItems = 100000;
inline constexpr size_t kMaxTestEvents = 100000;  // events of one test
// YAML shape of a whole rule file (E227): nodes (also once aliases are expanded) and depth.
inline constexpr size_t kMaxRuleYamlNodes = 1000000;
inline constexpr int kMaxRuleYamlDepth = 64;

// A scalar's text and where each of its bytes came from.
struct LocatedText {
  std::string text;
  ScalarLocator where;
};

// One inline test: an event (`event:`) or a sequence of events (`events:`), and what the
// rule must do with them: `match: true|false` (some alert / no alert) and/or `alerts: N`.
struct RawTest {
  SourceLocation location;
  std::vector<Event> events;
  bool valid = true;  // false when an event or the expectation was invalid (reported)
  std::optional<bool> match;
  std::optional<uint64_t> alerts;
};

struct RawRule {
  std::string id;
  SourceLocation location;
  std::string name, desc;
  std::optional<LocatedText> condition;
  std::optional<LocatedText> output;
  AlertSeverity severity = AlertSeverity::kInfo;
  std::vector<std::string> tags;
  ControlMap controls;
  bool enabled = true;
  std::vector<RawTest> tests;
  YAML::Node correlate;  // checked by the compiler (correlation_spec.h)
  bool has_correlate = false;
  YAML::Node suppress;
  bool has_suppress = false;
  int yaml_line_offset = 0;  // add to the marks of correlate and suppress (their document's first line)
};

// A macro or list given again in a later file replaces the earlier definition; with
// `append: true` it extends it instead (the compiler applies both, in load order).
struct RawMacro {
  std::string name;
  SourceLocation location;
  LocatedText condition;
  bool append = false;
};

struct RawList {
  std::string name;
  SourceLocation location;
  std::vector<std::string> items;
  bool append = false;
};

struct RawException {
  std::string id;
  SourceLocation location;
  std::string rule_id;
  SourceLocation rule_location;
  LocatedText condition;
};

struct RawRuleFile {
  std::vector<RawRule> rules;
  std::vector<RawMacro> macros;
  std::vector<RawList> lists;
  std::vector<RawException> exceptions;
};

// Reads `text` (the content of `file`) and appends its items to `out`.
void ReadRuleText(std::string_view text, const std::string& file, RawRuleFile& out, Diagnostics& diags);
// Reads a file from disk (E200 when it cannot be read or is too large).
void ReadRuleFile(const std::string& path, RawRuleFile& out, Diagnostics& diags);

}  // namespace vigil::rules
