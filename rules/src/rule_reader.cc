#include "rule_reader.h"

#include <set>
#include <sstream>

#include "vigil/read_file.h"
#include "vigil/yaml_load.h"
#include "yaml_event.h"

namespace vigil::rules {
namespace {

constexpr const char* kItemKeys[] = {"rule", "macro", "list", "exception"};

bool ValidRuleId(std::string_view id) {
  if (id.empty() || id.size() > 200) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool ValidName(std::string_view n) {  // macro and list names: bare words of a condition
  if (n.empty() || n.size() > 200 || n == "and" || n == "or" || n == "not") return false;
  if (!((n[0] >= 'a' && n[0] <= 'z') || (n[0] >= 'A' && n[0] <= 'Z') || n[0] == '_')) return false;
  for (char c : n) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsMarker(std::string_view line, std::string_view marker) {
  return line.starts_with(marker) &&
         (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
}

// The YAML documents of `text` as (first line, text): split at `---` and `...` lines.
std::vector<std::pair<int, std::string_view>> SplitDocuments(std::string_view text) {
  std::vector<std::pair<int, std::string_view>> docs;
  size_t doc_start = 0;
  int doc_line = 0, line = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view l = text.substr(pos, end - pos);
    const bool start = IsMarker(l, "---"), stop = IsMarker(l, "...");
    if ((start || stop) && pos > doc_start) docs.push_back({doc_line, text.substr(doc_start, pos - doc_start)});
    if (start) {
      doc_start = pos;
      doc_line = line;
    } else if (stop) {
      doc_start = end == text.size() ? end : end + 1;
      doc_line = line + 1;
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
    ++line;
  }
  if (doc_start < text.size()) docs.push_back({doc_line, text.substr(doc_start)});
  return docs;
}

class ItemReader {
 public:
  ItemReader(std::string_view text, const std::string& file, RawRuleFile& out, Diagnostics& diags)
      : text_(text), source_(text), file_(file), out_(out), diags_(diags) {}

  void Run() {
    // Each document is parsed on its own (not YAML::LoadAll: yaml-cpp 0.7 can loop forever
    // in it on malformed input, found by rule_file_fuzz), once, under limits for the whole
    // file; its marks are relative to its first line, which Loc() adds back.
    YamlLimits limits;
    limits.what = "rule";
    limits.limit_code = "E227";
    limits.syntax_code = "E200";
    limits.max_bytes = kMaxRuleFileBytes;
    limits.max_nodes = kMaxRuleYamlNodes;
    limits.max_depth = kMaxRuleYamlDepth;
    BoundedYamlLoader loader(file_, limits, diags_);
    std::vector<std::pair<int, YAML::Node>> docs;
    for (const auto& [start_line, chunk] : SplitDocuments(text_)) {
      std::optional<YAML::Node> doc = loader.Load(chunk, start_line);
      if (!doc) return;
      docs.emplace_back(start_line, std::move(*doc));
    }
    for (const auto& [start_line, doc] : docs) {
      line_offset_ = start_line;
      if (doc.IsNull()) continue;
      if (!doc.IsSequence()) {
        diags_.Error(Loc(doc), "E202", "a rule file is a list of items (- rule: ..., - macro: ..., "
                                       "- list: ..., - exception: ...)");
        continue;
      }
      for (const YAML::Node& item : doc) Item(item);
    }
  }

 private:
  SourceLocation Loc(const YAML::Node& n) const {
    YAML::Mark m = n.Mark();
    if (m.line < 0) return {file_, 0, 0};
    return {file_, m.line + 1 + line_offset_, m.column + 1};
  }

  // Checks the keys of `item` against `allowed`; records E201 for unknown or repeated keys.
  bool Keys(const YAML::Node& item, std::string_view what, std::initializer_list<std::string_view> allowed) {
    bool ok = true;
    std::set<std::string> seen;
    for (const auto& kv : item) {
      if (!kv.first.IsScalar()) {
        diags_.Error(Loc(kv.first), "E202", "a key must be a plain name");
        ok = false;
        continue;
      }
      const std::string& k = kv.first.Scalar();
      bool known = false;
      for (auto a : allowed) known = known || a == k;
      if (!known) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        diags_.Error(Loc(kv.first), "E201", "unknown key '" + k + "' in " + std::string(what) + " (expected " + list + ")");
        ok = false;
      } else if (!seen.insert(k).second) {
        diags_.Error(Loc(kv.first), "E201", "key '" + k + "' given twice");
        ok = false;
      }
    }
    return ok;
  }

  // The value of `key`, or an undefined node. Keys are found by comparing text.
  static YAML::Node Get(const YAML::Node& item, std::string_view key) {
    for (const auto& kv : item) {
      if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
    }
    return YAML::Node(YAML::NodeType::Undefined);
  }

  std::optional<std::string> String(const YAML::Node& item, std::string_view key, bool required,
                                    YAML::Node* node_out = nullptr) {
    YAML::Node n = Get(item, key);
    if (!n.IsDefined()) {
      if (required) diags_.Error(Loc(item), "E203", "missing key '" + std::string(key) + "'");
      return std::nullopt;
    }
    if (!n.IsScalar()) {
      diags_.Error(Loc(n), "E202", "'" + std::string(key) + "' must be a string");
      return std::nullopt;
    }
    if (node_out) *node_out = n;
    return n.Scalar();
  }

  std::optional<LocatedText> Text(const YAML::Node& item, std::string_view key, bool required) {
    YAML::Node n;
    auto s = String(item, key, required, &n);
    if (!s) return std::nullopt;
    return LocatedText{*s, ScalarLocator::ForNode(file_, source_, n, *s, line_offset_)};
  }

  bool StringList(const YAML::Node& n, std::string_view what, std::vector<std::string>* out) {
    if (!n.IsSequence()) {
      diags_.Error(Loc(n), "E202", std::string(what) + " must be a list of strings");
      return false;
    }
    if (n.size() > kMaxListItems) {
      diags_.Error(Loc(n), "E214", std::string(what) + " has " + std::to_string(n.size()) +
                                       " items; the limit is " + std::to_string(kMaxListItems));
      return false;
    }
    for (const auto& e : n) {
      if (!e.IsScalar()) {
        diags_.Error(Loc(e), "E202", std::string(what) + " must be a list of strings");
        return false;
      }
      out->push_back(e.Scalar());
    }
    return true;
  }

  void Item(const YAML::Node& item) {
    if (!item.IsMap()) {
      diags_.Error(Loc(item), "E202", "an item must be a map with one of the keys rule, macro, list, exception");
      return;
    }
    std::vector<std::string_view> kinds;
    for (const char* k : kItemKeys) {
      if (Get(item, k).IsDefined()) kinds.push_back(k);
    }
    if (kinds.empty()) {
      diags_.Error(Loc(item), "E203", "an item needs one of the keys rule, macro, list, exception");
      return;
    }
    if (kinds.size() > 1) {
      // An exception names its rule with `rule:`; otherwise two kind keys are a mistake.
      if (!(kinds.size() == 2 && kinds[0] == "rule" && kinds[1] == "exception")) {
        diags_.Error(Loc(item), "E201", "an item has more than one of the keys rule, macro, list, exception");
        return;
      }
      kinds = {"exception"};
    }
    if (kinds[0] == "rule") Rule(item);
    else if (kinds[0] == "macro") Macro(item);
    else if (kinds[0] == "list") List(item);
    else Exception(item);
  }

  void Rule(const YAML::Node& item) {
    Keys(item, "a rule", {"rule", "name", "desc", "condition", "severity", "tags", "controls", "output",
                          "enabled", "tests", "correlate", "suppress"});
    RawRule r;
    r.location = Loc(item);
    YAML::Node idn;
    auto id = String(item, "rule", true, &idn);
    if (!id) return;
    if (!ValidRuleId(*id)) {
      diags_.Error(Loc(idn), "E213", "bad rule id '" + *id + "' (use a-z, 0-9, '_', '.', '-')");
    }
    r.id = *id;
    r.name = String(item, "name", true).value_or("");
    r.desc = String(item, "desc", false).value_or("");
    // A correlation fed by other rules (`correlate: {rules: ...}`) needs no condition of its
    // own; the compiler reports a missing one where it is needed.
    r.condition = Text(item, "condition", !Get(item, "correlate").IsDefined());
    r.output = Text(item, "output", false);
    YAML::Node sevn;
    if (auto sev = String(item, "severity", true, &sevn)) {
      if (auto s = ParseAlertSeverity(*sev)) {
        r.severity = *s;
      } else {
        diags_.Error(Loc(sevn), "E212", "bad severity '" + *sev + "' (expected info, low, medium, high or critical)");
      }
    }
    if (YAML::Node t = Get(item, "tags"); t.IsDefined()) StringList(t, "tags", &r.tags);
    if (YAML::Node c = Get(item, "controls"); c.IsDefined()) {
      if (!c.IsMap()) {
        diags_.Error(Loc(c), "E202", "controls must be a map of framework to a list of control ids");
      } else {
        for (const auto& kv : c) {
          if (!kv.first.IsScalar()) {
            diags_.Error(Loc(kv.first), "E202", "a framework name must be a string");
            continue;
          }
          std::vector<std::string> ids;
          if (kv.second.IsScalar()) {
            ids.push_back(kv.second.Scalar());
          } else if (!StringList(kv.second, "controls." + kv.first.Scalar(), &ids)) {
            continue;
          }
          r.controls[kv.first.Scalar()] = std::move(ids);
        }
      }
    }
    if (YAML::Node e = Get(item, "enabled"); e.IsDefined()) {
      if (e.IsScalar() && (e.Scalar() == "true" || e.Scalar() == "false")) {
        r.enabled = e.Scalar() == "true";
      } else {
        diags_.Error(Loc(e), "E202", "enabled must be true or false");
      }
    }
    if (YAML::Node c = Get(item, "correlate"); c.IsDefined()) {
      if (!c.IsMap()) {
        diags_.Error(Loc(c), "E202", "correlate must be a map (type, group_by, timespan, condition)");
      } else {
        r.correlate = c;
        r.has_correlate = true;
        r.yaml_line_offset = line_offset_;
      }
    }
    if (YAML::Node sp = Get(item, "suppress"); sp.IsDefined()) {
      r.suppress = sp;
      r.has_suppress = true;
      r.yaml_line_offset = line_offset_;
    }
    if (YAML::Node t = Get(item, "tests"); t.IsDefined()) Tests(t, r);
    out_.rules.push_back(std::move(r));
  }

  void Tests(const YAML::Node& list, RawRule& r) {
    if (!list.IsSequence()) {
      diags_.Error(Loc(list), "E202", "tests must be a list of {event: ..., match: true|false}");
      return;
    }
    if (list.size() > kMaxListItems) {
      diags_.Error(Loc(list), "E214", "too many tests");
      return;
    }
    for (const auto& t : list) {
      if (!t.IsMap()) {
        diags_.Error(Loc(t), "E202", "a test must be a map {event: ..., match: true|false}");
        continue;
      }
      if (!Keys(t, "a test", {"event", "events", "match", "alerts", "desc"})) continue;
      RawTest rt;
      rt.location = Loc(t);
      Expectation(t, rt);
      YAML::Node ev = Get(t, "event"), evs = Get(t, "events");
      if (ev.IsDefined() == evs.IsDefined()) {
        diags_.Error(Loc(t), "E203", "a test needs one of 'event' (one event) or 'events' (a sequence)");
        rt.valid = false;
      } else if (ev.IsDefined()) {
        TestEvent(ev, rt);
      } else if (!evs.IsSequence() || evs.size() > kMaxTestEvents) {
        diags_.Error(Loc(evs), evs.IsSequence() ? "E214" : "E202",
                     "events must be a list of at most " + std::to_string(kMaxTestEvents) + " events");
        rt.valid = false;
      } else {
        for (const auto& e : evs) TestEvent(e, rt);
      }
      r.tests.push_back(std::move(rt));
    }
  }

  // `match: true|false` and/or `alerts: N`; at least one.
  void Expectation(const YAML::Node& t, RawTest& rt) {
    YAML::Node m = Get(t, "match"), a = Get(t, "alerts");
    if (!m.IsDefined() && !a.IsDefined()) {
      diags_.Error(Loc(t), "E203", "missing key 'match' (or 'alerts: N')");
      rt.valid = false;
    }
    if (m.IsDefined()) {
      if (m.IsScalar() && (m.Scalar() == "true" || m.Scalar() == "false")) {
        rt.match = m.Scalar() == "true";
      } else {
        diags_.Error(Loc(m), "E202", "match must be true or false");
        rt.valid = false;
      }
    }
    if (a.IsDefined()) {
      const std::string s = a.IsScalar() ? a.Scalar() : "";
      bool digits = !s.empty() && s.size() < 10 && s.find_first_not_of("0123456789") == std::string::npos;
      if (digits) {
        rt.alerts = std::stoull(s);
      } else {
        diags_.Error(Loc(a), "E202", "alerts must be a number of alerts (0 or more)");
        rt.valid = false;
      }
    }
  }

  void TestEvent(const YAML::Node& ev, RawTest& rt) {
    auto e = YamlToEvent(ev);
    if (e.ok()) {
      rt.events.push_back(std::move(*e));
    } else {
      diags_.Error(Loc(ev), "E215", "bad test event: " + e.status().message());
      rt.valid = false;
    }
  }

  // `append: true|false` (default false).
  bool Append(const YAML::Node& item) {
    YAML::Node a = Get(item, "append");
    if (!a.IsDefined()) return false;
    if (a.IsScalar() && (a.Scalar() == "true" || a.Scalar() == "false")) return a.Scalar() == "true";
    diags_.Error(Loc(a), "E202", "append must be true or false");
    return false;
  }

  void Macro(const YAML::Node& item) {
    Keys(item, "a macro", {"macro", "condition", "desc", "append"});
    YAML::Node n;
    auto name = String(item, "macro", true, &n);
    if (!name) return;
    if (!ValidName(*name)) {
      diags_.Error(Loc(n), "E213", "bad macro name '" + *name + "' (a word of letters, digits, '_', '.', '-')");
      return;
    }
    auto cond = Text(item, "condition", true);
    if (!cond) return;
    out_.macros.push_back({*name, Loc(item), std::move(*cond), Append(item)});
  }

  void List(const YAML::Node& item) {
    Keys(item, "a list", {"list", "items", "desc", "append"});
    YAML::Node n;
    auto name = String(item, "list", true, &n);
    if (!name) return;
    if (!ValidName(*name)) {
      diags_.Error(Loc(n), "E213", "bad list name '" + *name + "' (a word of letters, digits, '_', '.', '-')");
      return;
    }
    RawList l{*name, Loc(item), {}, Append(item)};
    YAML::Node items = Get(item, "items");
    if (!items.IsDefined()) {
      diags_.Error(Loc(item), "E203", "missing key 'items'");
      return;
    }
    if (!StringList(items, "items", &l.items)) return;
    out_.lists.push_back(std::move(l));
  }

  void Exception(const YAML::Node& item) {
    Keys(item, "an exception", {"exception", "rule", "condition", "desc"});
    YAML::Node n;
    auto id = String(item, "exception", true, &n);
    if (!id) return;
    if (!ValidRuleId(*id)) {
      diags_.Error(Loc(n), "E213", "bad exception id '" + *id + "' (use a-z, 0-9, '_', '.', '-')");
    }
    YAML::Node rn;
    auto rule = String(item, "rule", true, &rn);
    auto cond = Text(item, "condition", true);
    if (!rule || !cond) return;
    out_.exceptions.push_back({*id, Loc(item), *rule, Loc(rn), std::move(*cond)});
  }

  std::string_view text_;
  SourceText source_;
  const std::string& file_;
  RawRuleFile& out_;
  Diagnostics& diags_;
  int line_offset_ = 0;  // first line of the document being read (0-based)
};

}  // namespace

void ReadRuleText(std::string_view text, const std::string& file, RawRuleFile& out, Diagnostics& diags) {
  if (text.size() > kMaxRuleFileBytes) {
    diags.Error({file, 0, 0}, "E214", "rule file is larger than " + std::to_string(kMaxRuleFileBytes) + " bytes");
    return;
  }
  ItemReader(text, file, out, diags).Run();
}

void ReadRuleFile(const std::string& path, RawRuleFile& out, Diagnostics& diags) {
  Result<std::string> text = ReadRegularFile(path, kMaxRuleFileBytes);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kInvalidArgument) {
      diags.Error({path, 0, 0}, "E214", "rule file too large: " + text.status().message());
    } else {
      diags.Error({path, 0, 0}, "E200", "cannot read rule file: " + text.status().message());
    }
    return;
  }
  ReadRuleText(*text, path, out, diags);
}

}  // namespace vigil::rules
