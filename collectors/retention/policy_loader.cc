// Loading and validating retention policy files (see retention_policy.h, docs/retention.md).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "retention_policy.h"
#include "vigil/config_section.h"
#include "vigil/read_file.h"
#include "vigil/yaml_load.h"

namespace vigil::retention {
namespace {

constexpr size_t kMaxNodes = 200000;
constexpr int kMaxDepth = 32;

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

class PolicyReader {
 public:
  PolicyReader(const std::string& file, Diagnostics& diags) : file_(file), diags_(diags) {}

  void Read(ConfigSection& root, RetentionPolicy& p) {
    for (ConfigSection& c : root.SectionList("classes")) {
      if (Full(c)) break;
      Class(c, p);
    }
    for (ConfigSection& h : root.SectionList("holds")) {
      if (Full(h)) break;
      Hold(h, p);
    }
    if (root.Has("unclassified")) {
      ConfigSection u = root.Section("unclassified");
      p.unclassified.paths = Globs(u, "paths", true);
      p.unclassified.severity =
          u.Enum("severity", "medium", {"info", "low", "medium", "high", "critical"});
      u.Finish();
    }
    if (p.classes.empty() && p.holds.empty() && !root.Has("classes") && !root.Has("holds")) {
      diags_.Error(root.Where(), "E305", "a policy needs at least one class or hold ('classes:', 'holds:')");
    }
    root.Finish();
  }

 private:
  bool Full(ConfigSection& s) {
    if (++items_ <= kMaxPolicyItems) return false;
    diags_.Error(s.Where(), "E311", "too many classes and holds (more than 10000)");
    return true;
  }

  std::string Id(ConfigSection& s, std::set<std::string, std::less<>>& seen, const char* what) {
    std::string id = s.RequiredString("id");
    if (id.empty()) return id;
    if (!ValidId(id)) {
      diags_.Error(s.Where("id"), "E304",
                   std::string("bad ") + what + " id '" + id + "' (use letters, digits, '_', '.', '-'; at most 128)");
    } else if (!seen.insert(id).second) {
      diags_.Error(s.Where("id"), "E303", std::string("duplicate ") + what + " id '" + id + "'");
    }
    return id;
  }

  std::vector<PathGlob> Globs(ConfigSection& s, std::string_view key, bool required) {
    std::vector<PathGlob> out;
    if (!s.Has(key)) {
      if (required) {
        diags_.Error(s.Where(), "E104", "missing required key '" + std::string(key) + "'");
      }
      (void)s.StringList(key);  // marks it read
      return out;
    }
    const std::vector<std::string> patterns = s.StringList(key);
    const YAML::Node list = s.node()[std::string(key)];
    if (patterns.empty() && (list.IsNull() || (list.IsSequence() && list.size() == 0))) {
      diags_.Error(s.Where(key), "E302", "'" + std::string(key) + "' must list at least one path pattern");
    }
    if (patterns.size() > kMaxPathsPerItem) {
      diags_.Error(s.Where(key), "E311", "more than 1000 path patterns in one item");
      return out;
    }
    for (size_t i = 0; i < patterns.size(); ++i) {
      std::string why;
      auto g = PathGlob::Compile(patterns[i], &why);
      if (!g) {
        SourceLocation loc = s.Where(key);
        if (list.IsSequence() && i < list.size()) loc = MarkLocation(file_, list[i].Mark());
        diags_.Error(loc, "E302", "bad path pattern '" + patterns[i] + "': " + why);
        continue;
      }
      out.push_back(std::move(*g));
    }
    return out;
  }

  std::optional<RetentionPeriod> Period(ConfigSection& s, std::string_view key) {
    auto text = s.OptionalString(key);
    if (!text) return std::nullopt;
    auto p = ParseRetentionPeriod(*text);
    if (!p) {
      diags_.Error(s.Where(key), "E301",
                   "'" + std::string(key) + "': '" + *text +
                       "' is not a retention period (a positive number and one of s, m, h, d, w, mo, y; at most 150y)");
    }
    return p;
  }

  void Class(ConfigSection& s, RetentionPolicy& p) {
    RetentionClass c;
    c.id = Id(s, class_ids_, "class");
    c.paths = Globs(s, "paths", true);
    c.min = Period(s, "min");
    c.max = Period(s, "max");
    if (!s.Has("min") && !s.Has("max")) {
      diags_.Error(s.Where(), "E305", "class '" + c.id + "' has neither 'min' nor 'max'");
    }
    if (c.min && c.max && c.min->ApproxSeconds() > c.max->ApproxSeconds()) {
      diags_.Error(s.Where("max"), "E306",
                   "class '" + c.id + "': max " + c.max->text + " is shorter than min " + c.min->text);
    }
    const std::string trigger = s.String("trigger", "created");
    if (trigger == "created") c.trigger = Trigger::kCreated;
    else if (trigger == "modified") c.trigger = Trigger::kModified;
    else if (trigger == "first_seen") c.trigger = Trigger::kFirstSeen;
    else if (trigger.rfind("event:", 0) == 0 && ValidId(trigger.substr(6))) {
      c.trigger = Trigger::kEvent;
      c.trigger_event = trigger.substr(6);
    } else {
      diags_.Error(s.Where("trigger"), "E307",
                   "bad trigger '" + trigger + "' (expected created, modified, first_seen or event:<name>)");
    }
    const std::string imm = s.Enum("immutability", "none", {"worm", "append_only", "none"});
    c.immutability = imm == "worm"          ? Immutability::kWorm
                     : imm == "append_only" ? Immutability::kAppendOnly
                                            : Immutability::kNone;
    c.expiring_soon = Period(s, "expiring_soon");
    if (s.Has("controls")) {
      ConfigSection controls = s.Section("controls");
      if (controls.node().IsMap()) {
        for (const auto& kv : controls.node()) {
          if (!kv.first.IsScalar()) continue;  // reported by ConfigSection
          const std::string fw = kv.first.Scalar();
          std::vector<std::string> ids = controls.StringList(fw);
          if (!KnownFramework(fw)) {
            diags_.Error(MarkLocation(file_, kv.first.Mark()), "E309",
                         "unknown framework '" + fw +
                             "' (expected pci_dss_4, sox, hipaa, gdpr, sec_17a_4, iso_27001_2022, nist_800_53, soc2)");
            continue;
          }
          c.controls[fw] = std::move(ids);
        }
      }
      controls.Finish();
    }
    s.Finish();
    p.classes.push_back(std::move(c));
  }

  void Hold(ConfigSection& s, RetentionPolicy& p) {
    LegalHold h;
    h.id = Id(s, hold_ids_, "hold");
    h.paths = Globs(s, "paths", true);
    h.issued_by = s.RequiredString("issued_by");
    const std::string from = s.RequiredString("from");
    if (!from.empty()) {
      if (auto t = ParseDateOrTime(from)) h.from = *t;
      else diags_.Error(s.Where("from"), "E308", "'from': '" + from + "' is not a date (YYYY-MM-DD) or an RFC 3339 time");
    }
    if (!s.Has("until")) {
      diags_.Error(s.Where(), "E104", "missing required key 'until' (a date, or null while the hold lasts)");
    }
    if (auto until = s.OptionalString("until")) {
      auto t = ParseDateOrTime(*until);
      if (!t) {
        diags_.Error(s.Where("until"), "E308", "'until': '" + *until + "' is not a date (YYYY-MM-DD), an RFC 3339 time or null");
      } else {
        // A date names a whole day: the hold lasts to its end.
        h.until = until->size() == 10 ? *t + 86400 : *t;
        if (*h.until <= h.from) {
          diags_.Error(s.Where("until"), "E308", "hold '" + h.id + "' ends before it starts");
        }
      }
    }
    s.Finish();
    p.holds.push_back(std::move(h));
  }

  const std::string& file_;
  Diagnostics& diags_;
  std::set<std::string, std::less<>> class_ids_, hold_ids_;
  size_t items_ = 0;
};

}  // namespace

bool KnownFramework(std::string_view name) {
  static constexpr std::string_view kFrameworks[] = {"pci_dss_4", "sox",         "hipaa", "gdpr",
                                                     "sec_17a_4", "iso_27001_2022", "nist_800_53",
                                                     "soc2"};
  return std::find(std::begin(kFrameworks), std::end(kFrameworks), name) != std::end(kFrameworks);
}

Result<RetentionPolicy> LoadPolicyString(std::string_view text, const std::string& file,
                                         Diagnostics& diags) {
  const size_t errors_before = diags.error_count();
  RetentionPolicy policy;
  policy.file = file;
  YamlLimits limits;
  limits.what = "policy";
  limits.limit_code = "E312";
  limits.max_bytes = kMaxPolicyBytes;
  limits.max_nodes = kMaxNodes;
  limits.max_depth = kMaxDepth;
  if (auto root = LoadBoundedYaml(text, file, limits, diags)) {
    try {
      ConfigSection section(*root, file, diags);
      PolicyReader(file, diags).Read(section, policy);
    } catch (const YAML::Exception& e) {
      diags.Error(MarkLocation(file, e.mark), "E100", "YAML error: " + e.msg);
    } catch (const std::exception& e) {
      diags.Error({file, 0, 0}, "E100", std::string("cannot read the policy: ") + e.what());
    }
  }
  const size_t errors = diags.error_count() - errors_before;
  if (errors == 0) return policy;
  std::string first;
  for (const Diagnostic& d : diags.items()) {
    if (d.severity == Severity::kError) {
      first = FormatDiagnosticHeader(d);
      break;
    }
  }
  return Status::InvalidArgument("invalid retention policy " + file + " (" + std::to_string(errors) +
                                 (errors == 1 ? " error)" : " errors)") +
                                 (first.empty() ? "" : ", first: " + first));
}

Result<RetentionPolicy> LoadPolicyFile(const std::string& path, Diagnostics& diags) {
  // Only a regular file: a FIFO or a device named by mistake must not block or stream forever.
  Result<std::string> text = ReadRegularFile(path, kMaxPolicyBytes);
  if (!text.ok()) {
    const bool too_large = text.status().code() == StatusCode::kInvalidArgument;
    diags.Error({path, 0, 0}, too_large ? "E312" : "E300",
                (too_large ? "policy file too large: " : "cannot read the retention policy file: ") +
                    text.status().message());
    return Status(text.status().code(), "retention policy " + path + ": " + text.status().message());
  }
  return LoadPolicyString(*text, path, diags);
}

}  // namespace vigil::retention
