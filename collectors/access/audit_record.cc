#include "audit_record.h"

#include <array>
#include <bit>
#include <cstdint>

namespace vigil::access {
namespace {

constexpr char kGroupSeparator = '\x1d';
constexpr uint64_t kMaxSeconds = 9'000'000'000;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// aN or aN[i]: an EXECVE argument or a part of one.
bool IsExecveArg(std::string_view name) {
  if (name.size() < 2 || name[0] != 'a') return false;
  size_t i = 1;
  while (i < name.size() && name[i] >= '0' && name[i] <= '9') ++i;
  if (i == 1) return false;
  if (i == name.size()) return true;
  if (name[i] != '[' || name.back() != ']' || i + 2 >= name.size()) return false;
  for (size_t j = i + 1; j + 1 < name.size(); ++j) {
    if (name[j] < '0' || name[j] > '9') return false;
  }
  return true;
}

// A decimal number of at most `max_digits` digits.
bool ParseDecimal(std::string_view s, size_t max_digits, uint64_t* out) {
  if (s.empty() || s.size() > max_digits) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

// Reads `msg=audit(SECONDS.MILLIS:SERIAL):` from the front of *s.
bool ParseStamp(std::string_view* s, AuditRecord* out) {
  constexpr std::string_view kOpen = "msg=audit(";
  if (s->substr(0, kOpen.size()) != kOpen) return false;
  s->remove_prefix(kOpen.size());
  const size_t close = s->find("):");
  if (close == std::string_view::npos || close > 48) return false;
  const std::string_view stamp = s->substr(0, close);
  const size_t dot = stamp.find('.');
  const size_t colon = stamp.find(':');
  if (dot == std::string_view::npos || colon == std::string_view::npos || colon < dot) return false;
  uint64_t secs = 0, millis = 0, serial = 0;
  if (!ParseDecimal(stamp.substr(0, dot), 12, &secs) ||
      !ParseDecimal(stamp.substr(dot + 1, colon - dot - 1), 3, &millis) ||
      !ParseDecimal(stamp.substr(colon + 1), 19, &serial)) {
    return false;
  }
  // A time a Timestamp (int64 nanoseconds) can hold: before 2255.
  if (secs > kMaxSeconds) return false;
  // The fraction is milliseconds, three digits as auditd writes it (".5" is 500 ms).
  for (size_t d = colon - dot - 1; d < 3; ++d) millis *= 10;
  out->seconds = static_cast<int64_t>(secs);
  out->millis = static_cast<int32_t>(millis);
  out->serial = serial;
  s->remove_prefix(close + 2);
  return true;
}

// Splits `s` into k=v fields appended to *out. `in_msg` marks them nested. Returns an error
// reason, or empty. Sets *nested_msg to the contents of a `msg='...'` value (the caller
// parses it once, as nested fields).
std::string ScanFields(std::string_view s, std::string_view type, bool nested, const AuditLimits& limits,
                       std::vector<AuditField>* out, std::string_view* nested_msg) {
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    if (i >= s.size()) break;
    const size_t key_start = i;
    while (i < s.size() && !IsSpace(s[i]) && s[i] != '=') ++i;
    if (i >= s.size() || s[i] != '=') continue;  // a word, not a field (AVC text)
    const std::string_view key = s.substr(key_start, i - key_start);
    ++i;  // '='
    std::string_view value;
    bool quoted = false;
    if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
      const char q = s[i];
      const size_t end = s.find(q, i + 1);
      if (end == std::string_view::npos) {
        return "unterminated quote in field '" + std::string(key.substr(0, 64)) + "'";
      }
      value = s.substr(i + 1, end - i - 1);
      i = end + 1;
      quoted = true;
      if (q == '\'' && key == "msg" && !nested && nested_msg != nullptr && nested_msg->empty()) {
        *nested_msg = value;
        continue;
      }
    } else if (i < s.size() && s[i] == '{') {
      const size_t end = s.find('}', i + 1);
      if (end == std::string_view::npos) {
        return "unterminated brace in field '" + std::string(key.substr(0, 64)) + "'";
      }
      value = s.substr(i, end - i + 1);
      i = end + 1;
    } else {
      const size_t start = i;
      while (i < s.size() && !IsSpace(s[i])) ++i;
      value = s.substr(start, i - start);
    }
    if (key.empty()) continue;
    if (out->size() >= limits.max_fields) {
      return "more than " + std::to_string(limits.max_fields) + " fields";
    }
    AuditField f;
    f.name.assign(key);
    f.nested = nested;
    if (!quoted && IsEncodedAuditField(type, key) && DecodeAuditHex(value, &f.value)) {
      // decoded
    } else {
      f.value.assign(value);
    }
    out->push_back(std::move(f));
  }
  return {};
}

const std::string* FindIn(const std::vector<AuditField>& fields, std::string_view name) {
  for (const AuditField& f : fields) {
    if (f.name == name) return &f.value;
  }
  return nullptr;
}

}  // namespace

bool IsEncodedAuditField(std::string_view type, std::string_view name) {
  static constexpr std::array<std::string_view, 29> kEncoded = {
      "acct",      "cmd",         "comm",        "cwd",      "data",     "dir",     "exe",
      "file",      "grp",         "key",         "name",     "new_group", "ocomm",  "path",
      "proctitle", "root_dir",    "vm",          "watch",    "old-disk", "new-disk", "old-fs",
      "new-fs",    "old-chardev", "new-chardev", "old-rng",  "new-rng",  "sw",      "new_user",
      "old_user"};
  static_assert(kEncoded.size() <= 32);
  // Every field of every record is asked: only the names with the same first letter are
  // compared (a bit per name of kEncoded, by first letter).
  static const std::array<uint32_t, 128> kByFirstLetter = [] {
    std::array<uint32_t, 128> by{};
    for (size_t i = 0; i < kEncoded.size(); ++i) by[static_cast<unsigned char>(kEncoded[i][0])] |= 1u << i;
    return by;
  }();
  if (!name.empty() && static_cast<unsigned char>(name[0]) < kByFirstLetter.size()) {
    for (uint32_t m = kByFirstLetter[static_cast<unsigned char>(name[0])]; m != 0; m &= m - 1) {
      if (kEncoded[static_cast<size_t>(std::countr_zero(m))] == name) return true;
    }
  }
  return type == "EXECVE" && IsExecveArg(name);
}

bool DecodeAuditHex(std::string_view s, std::string* out) {
  if (s.empty() || s.size() % 2 != 0) return false;
  for (char c : s) {
    if (HexDigit(c) < 0) return false;
  }
  out->clear();
  out->reserve(s.size() / 2);
  for (size_t i = 0; i < s.size(); i += 2) {
    out->push_back(static_cast<char>(HexDigit(s[i]) * 16 + HexDigit(s[i + 1])));
  }
  return true;
}

const std::string* AuditRecord::Find(std::string_view name) const { return FindIn(fields, name); }

const std::string* AuditRecord::FindEnriched(std::string_view name) const {
  return FindIn(enriched, name);
}

Status ParseAuditRecord(std::string_view line, AuditRecord* out, const AuditLimits& limits) {
  if (line.size() > limits.max_line_bytes) {
    return Status::ParseError("record longer than " + std::to_string(limits.max_line_bytes) + " bytes");
  }
  out->node.clear();
  out->type.clear();
  out->fields.clear();
  // Records are moved on to their event, so each parse usually starts from an empty vector:
  // one allocation for the usual record (a SYSCALL has about 30 fields) rather than growing.
  out->fields.reserve(32);
  out->enriched.clear();
  out->text.clear();
  std::string_view s = line;
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  if (s.substr(0, 5) == "node=") {
    s.remove_prefix(5);
    const size_t sp = s.find(' ');
    if (sp == std::string_view::npos || sp == 0) return Status::ParseError("no type= after node=");
    out->node.assign(s.substr(0, sp));
    s.remove_prefix(sp + 1);
  }
  if (s.substr(0, 5) != "type=") return Status::ParseError("no type= field");
  s.remove_prefix(5);
  const size_t sp = s.find(' ');
  if (sp == std::string_view::npos || sp == 0 || sp > 64) return Status::ParseError("bad type= field");
  out->type.assign(s.substr(0, sp));
  s.remove_prefix(sp + 1);
  if (!ParseStamp(&s, out)) return Status::ParseError("no msg=audit(SECONDS.MILLIS:SERIAL): stamp");

  std::string_view body = s;
  std::string_view extra;
  if (const size_t gs = s.find(kGroupSeparator); gs != std::string_view::npos) {
    body = s.substr(0, gs);
    extra = s.substr(gs + 1);
  }
  while (!body.empty() && IsSpace(body.front())) body.remove_prefix(1);
  out->text.assign(body);
  std::string_view nested_msg;
  std::string err = ScanFields(body, out->type, false, limits, &out->fields, &nested_msg);
  if (err.empty() && !nested_msg.empty()) {
    err = ScanFields(nested_msg, out->type, true, limits, &out->fields, nullptr);
  }
  if (err.empty() && !extra.empty()) {
    std::vector<AuditField> enriched;
    err = ScanFields(extra, out->type, false, limits, &enriched, nullptr);
    if (out->fields.size() + enriched.size() > limits.max_fields) {
      err = "more than " + std::to_string(limits.max_fields) + " fields";
    }
    out->enriched = std::move(enriched);
  }
  if (!err.empty()) return Status::ParseError(err);
  return Status::Ok();
}

}  // namespace vigil::access
