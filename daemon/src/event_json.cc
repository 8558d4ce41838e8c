#include "event_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "vigil/time_format.h"

namespace vigil {
namespace {

using Json = nlohmann::json;

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// True when `text` nests objects and arrays at most `max_depth` deep. A linear scan, so
// that hostile input is refused before any parser or recursion sees it.
bool DepthWithin(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

// ---- writing ----

std::optional<Json> ValueToJson(const Value& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return Json(*s);
  if (const auto* i = std::get_if<int64_t>(&value)) return Json(*i);
  if (const auto* d = std::get_if<double>(&value)) return Json(*d);
  if (const auto* b = std::get_if<bool>(&value)) return Json(*b);
  if (const auto* ip = std::get_if<IpAddress>(&value)) return Json(ip->ToString());
  if (const auto* t = std::get_if<Timestamp>(&value)) return Json(FormatRfc3339(*t));
  if (const auto* dur = std::get_if<Duration>(&value)) return Json(dur->count());
  if (const auto* list = std::get_if<StringList>(&value)) {
    Json array = Json::array();
    for (const std::string& item : *list) array.push_back(item);
    return array;
  }
  return std::nullopt;  // monostate: no value
}

int DepthOf(const Json& j) {  // callers bound the depth of what they pass
  if (!j.is_structured()) return 0;
  int deepest = 0;
  for (const Json& child : j) deepest = std::max(deepest, DepthOf(child));
  return deepest + 1;
}

// Places `value` at the dotted `name` inside `root`. The rest of the name stays one flat
// dotted key at the level where nesting further would make the output unreadable for
// EventFromJson: where a value already sits on the path, where the path so far is itself a
// declared field (an object there would be a wrong type), or where one more level would nest
// deeper than kMaxJsonDepth.
void Insert(Json& root, const std::string& name, Json value, const FieldRegistry& fields) {
  const int value_depth = DepthOf(value);
  Json* node = &root;
  int level = 1;  // the depth of *node
  size_t start = 0;
  while (true) {
    const size_t dot = name.find('.', start);
    if (dot == std::string::npos) {
      std::string key = name.substr(start);
      if (!node->contains(key)) {
        (*node)[key] = std::move(value);
        return;
      }
      break;
    }
    std::string key = name.substr(start, dot - start);
    auto it = node->find(key);
    const bool can_nest = level + 1 + value_depth <= kMaxJsonDepth;
    if (it == node->end() && can_nest && !fields.Find(std::string_view(name).substr(0, dot))) {
      node = &((*node)[key] = Json::object());
    } else if (it != node->end() && it->is_object() && can_nest) {
      node = &*it;  // made by an earlier name, which passed the checks above
    } else {
      std::string rest = name.substr(start);
      if (!node->contains(rest)) {
        (*node)[rest] = std::move(value);
        return;
      }
      break;
    }
    ++level;
    start = dot + 1;
  }
  // Only a name that the event holds twice gets here; keep the first, but do not lose the
  // second if its full name is still free at the top.
  if (!root.contains(name)) root[name] = std::move(value);
}

// ---- reading ----

std::string KindOf(const Json& j) {
  switch (j.type()) {
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    default:
      return "a number";
  }
}

// The value as JSON text, shortened for a message (cut on a UTF-8 character boundary).
std::string Snippet(const Json& j) {
  constexpr size_t kMax = 64;
  std::string text = Dump(j);
  if (text.size() <= kMax) return text;
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "...";
}

std::string ExpectedName(FieldType type) {
  switch (type) {
    case FieldType::kInt:
      return "int (an integer or a string of digits)";
    case FieldType::kTime:
      return "time (RFC 3339 text or seconds since the epoch)";
    case FieldType::kDuration:
      return "duration (integer nanoseconds)";
    case FieldType::kList:
      return "list (an array of strings, or one string)";
    default:
      return std::string(FieldTypeName(type));
  }
}

Status WrongType(const std::string& name, FieldType type, const Json& got) {
  return Status::InvalidArgument("field '" + name + "': expected " + ExpectedName(type) + ", got " +
                                 Snippet(got));
}

std::optional<int64_t> JsonInteger(const Json& j) {
  if (j.is_number_unsigned()) {
    uint64_t u = j.get<uint64_t>();
    if (u > static_cast<uint64_t>(kInt64Max)) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (j.is_number_integer()) return j.get<int64_t>();
  return std::nullopt;
}

std::optional<int64_t> DecimalString(const std::string& s) {
  int64_t v = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

std::optional<Timestamp> EpochSeconds(const Json& j) {
  if (auto secs = JsonInteger(j)) {
    if (*secs < 0 || *secs > kInt64Max / kNanosPerSecond) return std::nullopt;
    return Timestamp{Duration{*secs * kNanosPerSecond}};
  }
  if (j.is_number_float()) {
    // A double holds epoch seconds of today to about 0.2 us: round the fraction to the
    // microsecond, so that 1772359200.1 reads as .100000, not .099999904.
    const double d = j.get<double>();
    if (!(d >= 0 && d < 9223372037.0)) return std::nullopt;  // also refuses NaN
    const double whole = std::floor(d);
    const int64_t secs = static_cast<int64_t>(whole);
    const int64_t frac_ns = std::llround((d - whole) * 1e6) * 1000;
    if (secs > (kInt64Max - frac_ns) / kNanosPerSecond) return std::nullopt;
    return Timestamp{Duration{secs * kNanosPerSecond + frac_ns}};
  }
  return std::nullopt;  // negative integers beyond int64 land here too
}

std::optional<Value> Convert(const Json& j, FieldType type) {
  switch (type) {
    case FieldType::kString:
      if (j.is_string()) return Value(j.get<std::string>());
      return std::nullopt;
    case FieldType::kInt:
      if (auto i = JsonInteger(j)) return Value(*i);
      if (j.is_string()) {
        if (auto i = DecimalString(j.get_ref<const std::string&>())) return Value(*i);
      }
      return std::nullopt;
    case FieldType::kDouble:
      if (j.is_number() && std::isfinite(j.get<double>())) return Value(j.get<double>());
      return std::nullopt;
    case FieldType::kBool:
      if (j.is_boolean()) return Value(j.get<bool>());
      return std::nullopt;
    case FieldType::kIp:
      if (j.is_string()) {
        if (auto ip = IpAddress::Parse(j.get_ref<const std::string&>())) return Value(*ip);
      }
      return std::nullopt;
    case FieldType::kTime:
      if (j.is_string()) {
        if (auto t = ParseRfc3339(j.get_ref<const std::string&>())) return Value(*t);
        return std::nullopt;
      }
      if (auto t = EpochSeconds(j)) return Value(*t);
      return std::nullopt;
    case FieldType::kDuration:
      if (auto i = JsonInteger(j)) return Value(Duration{*i});
      return std::nullopt;
    case FieldType::kList: {
      if (j.is_string()) return Value(StringList{j.get<std::string>()});
      if (!j.is_array()) return std::nullopt;
      StringList list;
      list.reserve(j.size());
      for (const Json& item : j) {
        if (!item.is_string()) return std::nullopt;
        list.push_back(item.get<std::string>());
      }
      return Value(std::move(list));
    }
  }
  return std::nullopt;
}

class Flattener {
 public:
  Flattener(const FieldRegistry& fields, Event& event) : fields_(fields), event_(event) {}

  // `prefix` is nullptr at the top level (so that a key "" stays distinguishable).
  Status Object(const Json& object, const std::string* prefix) {
    for (const auto& [key, value] : object.items()) {
      std::string name = prefix ? *prefix + "." + key : key;
      if (value.is_null()) continue;
      const std::optional<FieldId> id = fields_.Find(name);
      if (value.is_object()) {
        if (id) return WrongType(name, fields_.Info(*id).type, value);
        VIGIL_RETURN_IF_ERROR(Object(value, &name));
        continue;
      }
      if (!seen_.insert(name).second) {
        return Status::InvalidArgument("field '" + name + "' is given more than once");
      }
      if (!id) {
        event_.extras().push_back(Event::Extra{name, Dump(value)});
        continue;
      }
      const FieldType type = fields_.Info(*id).type;
      std::optional<Value> converted = Convert(value, type);
      if (!converted) return WrongType(name, type, value);
      event_.Set(*id, std::move(*converted));
    }
    return Status::Ok();
  }

 private:
  const FieldRegistry& fields_;
  Event& event_;
  std::set<std::string> seen_;
};

// nlohmann's messages start with "[json.exception.parse_error.101] "; keep the rest. For
// one line of input, "at line 1, column 7" says no more than "at column 7".
std::string CleanMessage(const char* what, bool one_line) {
  std::string text(what);
  if (!text.empty() && text.front() == '[') {
    const size_t end = text.find("] ");
    if (end != std::string::npos) text.erase(0, end + 2);
  }
  const size_t at = text.find("at line 1, column ");
  if (one_line && at != std::string::npos) text.erase(at + 3, 8);
  return "invalid JSON: " + text;
}

}  // namespace

std::string EventToJson(const Event& event, const FieldRegistry& fields) {
  std::string out;
  if (internal::TryEventToJsonFast(event, fields, &out)) return out;
  return internal::EventToJsonGeneric(event, fields);
}

std::string internal::EventToJsonGeneric(const Event& event, const FieldRegistry& fields) {
  std::vector<std::pair<std::string, Json>> entries;
  entries.reserve(event.fields().size() + event.extras().size());
  for (const Event::Field& f : event.fields()) {
    if (std::optional<Json> j = ValueToJson(f.value)) {
      entries.emplace_back(fields.Info(f.id).name, std::move(*j));
    }
  }
  for (const Event::Extra& extra : event.extras()) {
    Json j(Json::value_t::discarded);
    if (DepthWithin(extra.json, kMaxJsonDepth - 1)) {
      try {
        j = Json::parse(extra.json, nullptr, /*allow_exceptions=*/false);
      } catch (const Json::exception&) {  // not expected without exceptions; be sure
      }
    }
    if (j.is_discarded()) j = extra.json;  // not (readable) JSON after all: keep the text
    entries.emplace_back(extra.name, std::move(j));
  }
  // Sorted, so that a name always comes before the longer names it is a prefix of.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  Json root = Json::object();
  for (auto& [name, value] : entries) Insert(root, name, std::move(value), fields);

  std::string out = "{";
  auto append = [&out](const std::string& key, const Json& value) {
    if (out.size() > 1) out += ',';
    out += Dump(Json(key));
    out += ':';
    out += Dump(value);
  };
  auto ts = root.find("@timestamp");
  if (ts != root.end()) append(ts.key(), *ts);
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (it != ts) append(it.key(), *it);
  }
  out += '}';
  return out;
}

Result<Event> EventFromJson(std::string_view text, const FieldRegistry& fields) {
  if (!DepthWithin(text, kMaxJsonDepth)) {
    return Status::ParseError("invalid JSON: nested deeper than " + std::to_string(kMaxJsonDepth) +
                              " levels");
  }
  try {
    const Json doc = Json::parse(text.begin(), text.end());
    if (!doc.is_object()) {
      return Status::ParseError("expected a JSON object, got " + KindOf(doc));
    }
    Event event;
    Flattener flattener(fields, event);
    VIGIL_RETURN_IF_ERROR(flattener.Object(doc, nullptr));
    return event;
  } catch (const Json::exception& e) {
    return Status::ParseError(CleanMessage(e.what(), text.find('\n') == std::string_view::npos));
  }
}

}  // namespace vigil
