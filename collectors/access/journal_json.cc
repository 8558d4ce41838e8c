#include "journal_json.h"

#include <nlohmann/json.hpp>

#include "auth_record.h"

namespace vigil::access {
namespace {

using Json = nlohmann::json;

// A string field, or one given as an array of bytes.
bool Text(const Json& obj, const char* key, std::string* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return false;
  if (it->is_string()) {
    *out = it->get_ref<const std::string&>();
    return true;
  }
  if (it->is_array()) {
    out->clear();
    out->reserve(it->size());
    for (const Json& b : *it) {
      if (!b.is_number_unsigned() || b.get<uint64_t>() > 255) return false;
      out->push_back(static_cast<char>(b.get<uint64_t>()));
    }
    return true;
  }
  return false;
}

// A pid: 1 to 9 digits, as a string or a number; -1 otherwise.
int64_t Number(const Json& obj, const char* key) {
  std::string s;
  if (Text(obj, key, &s)) return ParseSmallInt(s);  // journald writes numbers as strings
  auto it = obj.find(key);
  if (it != obj.end() && it->is_number_unsigned() && it->get<uint64_t>() < (uint64_t{1} << 62)) {
    return static_cast<int64_t>(it->get<uint64_t>());
  }
  return -1;
}

// Microseconds as a decimal string (up to 18 digits).
bool Micros(const Json& obj, const char* key, int64_t* out) {
  std::string s;
  if (!Text(obj, key, &s) || s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

SyslogHeader JournalEntry::Header() const {
  SyslogHeader h;
  h.time = time;
  h.has_time = has_time;
  h.host = hostname;
  h.program = identifier;
  h.pid = pid;
  h.message = message;
  return h;
}

Status ParseJournalJson(std::string_view line, JournalEntry* out) {
  const Json obj = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!obj.is_object()) return Status::ParseError("not a JSON object");
  *out = JournalEntry{};
  if (!Text(obj, "MESSAGE", &out->message)) return Status::ParseError("no MESSAGE");
  if (!Text(obj, "SYSLOG_IDENTIFIER", &out->identifier) && !Text(obj, "_COMM", &out->identifier)) {
    return Status::ParseError("no SYSLOG_IDENTIFIER or _COMM");
  }
  Text(obj, "_HOSTNAME", &out->hostname);
  out->pid = Number(obj, "SYSLOG_PID");
  if (out->pid < 0) out->pid = Number(obj, "_PID");
  int64_t us = 0;
  // Beyond 9e15 µs (year 2255) the instant would not fit a Timestamp.
  if (Micros(obj, "__REALTIME_TIMESTAMP", &us) && us <= int64_t{9'000'000'000'000'000}) {
    out->time = Timestamp(std::chrono::microseconds(us));
    out->has_time = true;
  }
  return Status::Ok();
}

}  // namespace vigil::access
