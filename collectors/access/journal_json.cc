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

// Microseconds as a decimal string (up to 18 digits).
bool Micros(const std::string& s, int64_t* out) {
  if (s.empty() || s.size() > 18) return false;
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

Status JournalEntryFromFields(const JournalFieldLookup& field, JournalEntry* out) {
  *out = JournalEntry{};
  if (!field("MESSAGE", &out->message)) return Status::ParseError("no MESSAGE");
  if (out->message.size() > kMaxJournalMessageBytes) {
    return Status::ParseError("MESSAGE longer than " + std::to_string(kMaxJournalMessageBytes) +
                              " bytes");
  }
  if (!field("SYSLOG_IDENTIFIER", &out->identifier) && !field("_COMM", &out->identifier)) {
    return Status::ParseError("no SYSLOG_IDENTIFIER or _COMM");
  }
  if (out->identifier.size() > kMaxJournalNameBytes) {
    return Status::ParseError("program name longer than " +
                              std::to_string(kMaxJournalNameBytes) + " bytes");
  }
  if (field("_HOSTNAME", &out->hostname) && out->hostname.size() > kMaxJournalNameBytes) {
    out->hostname.clear();
  }
  std::string value;
  // journald writes numbers as strings; a pid is 1 to 9 digits, -1 otherwise.
  if (field("SYSLOG_PID", &value)) out->pid = ParseSmallInt(value);
  if (out->pid < 0 && field("_PID", &value)) out->pid = ParseSmallInt(value);
  int64_t us = 0;
  // Beyond 9e15 µs (year 2255) the instant would not fit a Timestamp.
  if (field("__REALTIME_TIMESTAMP", &value) && Micros(value, &us) &&
      us <= int64_t{9'000'000'000'000'000}) {
    out->time = Timestamp(std::chrono::microseconds(us));
    out->has_time = true;
  }
  return Status::Ok();
}

Status ParseJournalJson(std::string_view line, JournalEntry* out) {
  const Json obj = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!obj.is_object()) return Status::ParseError("not a JSON object");
  return JournalEntryFromFields(
      [&obj](const char* name, std::string* value) {
        if (Text(obj, name, value)) return true;
        auto it = obj.find(name);  // a number written as a JSON number
        if (it == obj.end() || !it->is_number_unsigned()) return false;
        *value = std::to_string(it->get<uint64_t>());
        return true;
      },
      out);
}

}  // namespace vigil::access
