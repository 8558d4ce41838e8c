// The fast path of EventToJson: most events (declared fields only, no name clashes, valid
// UTF-8, no doubles) are written straight into a string, without building a JSON tree. The
// bytes are exactly those of the general path (EventToJsonGeneric); tests/daemon compare the
// two on generated events. Anything unusual returns false and takes the general path.
#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "event_json.h"
#include "vigil/time_format.h"

namespace vigil::internal {
namespace {

// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool ValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (int i = 2; i <= extra; ++i) {
      if (p[i] < 0x80 || p[i] > 0xBF) return false;
    }
    p += extra + 1;
  }
  return true;
}

// Appends `s` as a JSON string, escaped as nlohmann::json::dump does. False on invalid UTF-8.
bool AppendString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  bool ascii = true;
  for (char ch : s) ascii &= static_cast<unsigned char>(ch) < 0x80;
  if (!ascii && !ValidUtf8(s)) return false;
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return true;
}

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

bool AppendValue(std::string& out, const Value& value) {
  switch (value.index()) {
    case 1: return AppendString(out, std::get<std::string>(value));
    case 2: AppendInt(out, std::get<int64_t>(value)); return true;
    case 4: out += std::get<bool>(value) ? "true" : "false"; return true;
    case 5: return AppendString(out, std::get<IpAddress>(value).ToString());
    case 6: return AppendString(out, FormatRfc3339(std::get<Timestamp>(value)));
    case 7: AppendInt(out, std::get<Duration>(value).count()); return true;
    case 8: {
      out += '[';
      bool first = true;
      for (const std::string& item : std::get<StringList>(value)) {
        if (!first) out += ',';
        first = false;
        if (!AppendString(out, item)) return false;
      }
      out += ']';
      return true;
    }
    default:  // double: number formatting is left to the general path
      return false;
  }
}

// Orders names as nested objects order their keys: component by component.
bool ComponentLess(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = a[i] == '.' ? 0 : static_cast<unsigned char>(a[i]);
    unsigned char y = b[i] == '.' ? 0 : static_cast<unsigned char>(b[i]);
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

struct Entry {
  std::string_view name;
  const Value* value;
};

}  // namespace

bool TryEventToJsonFast(const Event& event, const FieldRegistry& fields, std::string* out) {
  if (!event.extras().empty()) return false;
  std::vector<Entry> entries;
  entries.reserve(event.fields().size());
  const Value* timestamp = nullptr;
  for (const Event::Field& f : event.fields()) {
    if (f.value.index() == 0) continue;  // no value
    if (fields.UnderAnotherField(f.id)) return false;
    const std::string& name = fields.Info(f.id).name;
    if (name == "@timestamp") {
      timestamp = &f.value;
    } else {
      if (std::count(name.begin(), name.end(), '.') >= kMaxJsonDepth - 2) return false;
      entries.push_back({name, &f.value});
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return ComponentLess(a.name, b.name); });
  for (size_t i = 1; i < entries.size(); ++i) {  // "a" and "a.b": the general path decides
    std::string_view prev = entries[i - 1].name, cur = entries[i].name;
    if (cur.size() > prev.size() && cur.compare(0, prev.size(), prev) == 0 &&
        cur[prev.size()] == '.') {
      return false;
    }
  }

  std::string& s = *out;
  s.clear();
  s.reserve(64 + entries.size() * 32);
  s += '{';
  std::vector<std::string_view> open;  // object path currently open
  bool need_comma = false;             // in the innermost open object
  if (timestamp != nullptr) {
    s += "\"@timestamp\":";
    if (!AppendValue(s, *timestamp)) return false;
    need_comma = true;
  }
  std::vector<std::string_view> parts;
  for (const Entry& e : entries) {
    parts.clear();
    size_t start = 0;
    for (size_t dot = e.name.find('.'); dot != std::string_view::npos;
         dot = e.name.find('.', start)) {
      parts.push_back(e.name.substr(start, dot - start));
      start = dot + 1;
    }
    parts.push_back(e.name.substr(start));
    // Close the objects this name does not share, open the ones it adds.
    size_t common = 0;
    while (common < open.size() && common + 1 < parts.size() && open[common] == parts[common]) {
      ++common;
    }
    while (open.size() > common) {
      s += '}';
      open.pop_back();
      need_comma = true;
    }
    for (size_t i = common; i + 1 < parts.size(); ++i) {
      if (need_comma) s += ',';
      if (!AppendString(s, parts[i])) return false;
      s += ":{";
      open.push_back(parts[i]);
      need_comma = false;
    }
    if (need_comma) s += ',';
    if (!AppendString(s, parts.back())) return false;
    s += ':';
    if (!AppendValue(s, *e.value)) return false;
    need_comma = true;
  }
  for (size_t i = 0; i < open.size(); ++i) s += '}';
  s += '}';
  return true;
}

}  // namespace vigil::internal
