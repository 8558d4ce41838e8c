#include "vigil/config_section.h"

#include <charconv>

namespace vigil {
namespace {

std::string_view KindName(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null: return "null";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    default: return "nothing";
  }
}

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::optional<std::chrono::nanoseconds> ParseDuration(std::string_view text) {
  using std::chrono::nanoseconds;
  size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  int64_t n = 0;
  if (i == 0 || !ParseInt(text.substr(0, i), &n)) return std::nullopt;
  std::string_view unit = text.substr(i);
  int64_t mult;  // seconds per unit, or -1 for ms
  if (unit.empty() || unit == "s") mult = 1;
  else if (unit == "ms") mult = -1;
  else if (unit == "m") mult = 60;
  else if (unit == "h") mult = 3600;
  else if (unit == "d") mult = 86400;
  else if (unit == "w") mult = 7 * 86400;
  else return std::nullopt;
  constexpr int64_t kMaxSeconds = int64_t{100} * 365 * 86400;  // keeps nanoseconds in range
  if (mult == -1) {
    if (n > kMaxSeconds * 1000) return std::nullopt;
    return std::chrono::milliseconds(n);
  }
  if (n > kMaxSeconds / mult) return std::nullopt;
  return std::chrono::seconds(n * mult);
}

std::optional<uint64_t> ParseByteSize(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  int64_t n = 0;
  if (i == 0 || !ParseInt(text.substr(0, i), &n)) return std::nullopt;
  std::string_view unit = text.substr(i);
  int shift;
  if (unit.empty() || unit == "B") shift = 0;
  else if (unit == "KiB") shift = 10;
  else if (unit == "MiB") shift = 20;
  else if (unit == "GiB") shift = 30;
  else if (unit == "TiB") shift = 40;
  else return std::nullopt;
  constexpr uint64_t kMaxBytes = uint64_t{1} << 50;  // 1 PiB
  if (static_cast<uint64_t>(n) >= (kMaxBytes >> shift)) return std::nullopt;
  return static_cast<uint64_t>(n) << shift;
}

ConfigSection::ConfigSection(YAML::Node node, std::string file, Diagnostics& diags)
    : node_(std::move(node)), file_(std::move(file)), diags_(&diags) {
  if (!node_.IsDefined() || node_.IsNull()) return;
  if (!node_.IsMap()) {
    diags_->Error(LocOf(node_), "E102", "expected a map, found " + std::string(KindName(node_)));
    node_ = YAML::Node(YAML::NodeType::Map);
    return;
  }
  std::set<std::string, std::less<>> seen;
  for (const auto& kv : node_) {
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (!kv.first.IsScalar()) {
      diags_->Error(LocOf(kv.first), "E102", "a key must be a plain name");
    } else if (!seen.insert(key).second) {
      diags_->Error(LocOf(kv.first), "E105", "duplicate key '" + key + "'");
    }
  }
}

YAML::Node ConfigSection::Lookup(std::string_view key) {
  read_.emplace(key);
  if (!node_.IsMap()) return YAML::Node();
  for (const auto& kv : node_) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
  }
  return YAML::Node();
}

bool ConfigSection::Has(std::string_view key) const {
  if (!node_.IsMap()) return false;
  for (const auto& kv : node_) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return true;
  }
  return false;
}

SourceLocation ConfigSection::LocOf(const YAML::Node& n) const {
  SourceLocation loc{file_, 0, 0};
  if (n.IsDefined()) {
    YAML::Mark m = n.Mark();
    if (m.line >= 0) {
      loc.line = m.line + 1;
      loc.column = m.column + 1;
    }
  }
  return loc;
}

SourceLocation ConfigSection::Where(std::string_view key) const {
  if (!key.empty() && node_.IsMap()) {
    for (const auto& kv : node_) {
      if (kv.first.IsScalar() && kv.first.Scalar() == key) {
        // A null value has no mark of its own: point at the key then.
        return kv.second.IsNull() ? LocOf(kv.first) : LocOf(kv.second);
      }
    }
  }
  return LocOf(node_);
}

void ConfigSection::WrongType(std::string_view key, const YAML::Node& n, std::string_view want) {
  (void)n;
  diags_->Error(Where(key), "E102",
                "'" + std::string(key) + "' must be " + std::string(want) + ", found " +
                    std::string(KindName(n)));
}

void ConfigSection::BadValue(std::string_view key, std::string message) {
  diags_->Error(Where(key), "E103", "'" + std::string(key) + "': " + message);
}

std::optional<std::string> ConfigSection::OptionalString(std::string_view key) {
  YAML::Node n = Lookup(key);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (!n.IsScalar()) {
    WrongType(key, n, "a string");
    return std::nullopt;
  }
  return n.Scalar();
}

std::string ConfigSection::String(std::string_view key, std::string_view def) {
  auto v = OptionalString(key);
  return v ? *v : std::string(def);
}

std::string ConfigSection::RequiredString(std::string_view key) {
  if (!Has(key)) {
    read_.emplace(key);
    diags_->Error(LocOf(node_), "E104", "missing required key '" + std::string(key) + "'");
    return "";
  }
  // Present without a value (`type:`) is as wrong as an empty one: never silently "".
  if (Lookup(key).IsNull()) {
    BadValue(key, "must not be empty");
    return "";
  }
  auto v = OptionalString(key);
  if (v && v->empty()) BadValue(key, "must not be empty");
  return v.value_or("");
}

int64_t ConfigSection::Int(std::string_view key, int64_t def, int64_t min, int64_t max) {
  YAML::Node n = Lookup(key);
  if (!n.IsDefined() || n.IsNull()) return def;
  int64_t v = 0;
  if (!n.IsScalar() || !ParseInt(n.Scalar(), &v)) {
    WrongType(key, n, "an integer");
    return def;
  }
  if (v < min || v > max) {
    BadValue(key, std::to_string(v) + " is out of range [" + std::to_string(min) + ", " +
                      std::to_string(max) + "]");
    return def;
  }
  return v;
}

bool ConfigSection::Bool(std::string_view key, bool def) {
  YAML::Node n = Lookup(key);
  if (!n.IsDefined() || n.IsNull()) return def;
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
  }
  WrongType(key, n, "true or false");
  return def;
}

std::chrono::nanoseconds ConfigSection::DurationValue(std::string_view key,
                                                      std::chrono::nanoseconds def) {
  YAML::Node n = Lookup(key);
  if (!n.IsDefined() || n.IsNull()) return def;
  if (!n.IsScalar()) {
    WrongType(key, n, "a duration such as 30s, 5m, 1h");
    return def;
  }
  auto d = ParseDuration(n.Scalar());
  if (!d) {
    BadValue(key, "'" + n.Scalar() + "' is not a duration (use e.g. 500ms, 30s, 5m, 1h, 7d)");
    return def;
  }
  return *d;
}

uint64_t ConfigSection::ByteSizeValue(std::string_view key, uint64_t def) {
  YAML::Node n = Lookup(key);
  if (!n.IsDefined() || n.IsNull()) return def;
  if (!n.IsScalar()) {
    WrongType(key, n, "a size such as 512MiB");
    return def;
  }
  auto v = ParseByteSize(n.Scalar());
  if (!v) {
    BadValue(key, "'" + n.Scalar() + "' is not a size (use a whole number of bytes or KiB, MiB, GiB, "
                  "TiB, e.g. 512MiB; less than 1 PiB)");
    return def;
  }
  return *v;
}

std::string ConfigSection::Enum(std::string_view key, std::string_view def,
                                std::initializer_list<std::string_view> choices) {
  auto v = OptionalString(key);
  if (!v) return std::string(def);
  for (std::string_view c : choices) {
    if (*v == c) return *v;
  }
  std::string list;
  for (std::string_view c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
  BadValue(key, "'" + *v + "' is not one of: " + list);
  return std::string(def);
}

std::vector<std::string> ConfigSection::StringList(std::string_view key) {
  YAML::Node n = Lookup(key);
  std::vector<std::string> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (n.IsScalar()) {  // a single string is a one-element list
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) {
    WrongType(key, n, "a list of strings");
    return out;
  }
  for (const auto& item : n) {
    if (!item.IsScalar()) {
      diags_->Error(LocOf(item), "E102",
                    "items of '" + std::string(key) + "' must be strings, found " +
                        std::string(KindName(item)));
      continue;
    }
    out.push_back(item.Scalar());
  }
  return out;
}

ConfigSection ConfigSection::Section(std::string_view key) {
  YAML::Node n = Lookup(key);
  if (n.IsDefined() && !n.IsNull() && !n.IsMap()) {
    WrongType(key, n, "a map");
    return ConfigSection(YAML::Node(), file_, *diags_);
  }
  return ConfigSection(n, file_, *diags_);
}

std::vector<ConfigSection> ConfigSection::SectionList(std::string_view key) {
  YAML::Node n = Lookup(key);
  std::vector<ConfigSection> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsSequence()) {
    WrongType(key, n, "a list");
    return out;
  }
  for (const auto& item : n) {
    if (!item.IsMap()) {
      diags_->Error(LocOf(item), "E102",
                    "items of '" + std::string(key) + "' must be maps, found " +
                        std::string(KindName(item)));
      continue;
    }
    out.emplace_back(item, file_, *diags_);
  }
  return out;
}

void ConfigSection::Finish() {
  if (!node_.IsMap()) return;
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar()) continue;
    const std::string& key = kv.first.Scalar();
    if (read_.find(key) == read_.end()) {
      diags_->Error(LocOf(kv.first), "E101", "unknown key '" + key + "'");
    }
  }
}

}  // namespace vigil
