#include "syslog_header.h"

#include <cstdint>
#include <ctime>

#include "vigil/time_format.h"

namespace vigil::access {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at `s[pos]`.
bool Digits(std::string_view s, size_t pos, size_t n, unsigned* out) {
  if (pos + n > s.size()) return false;
  unsigned v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!IsDigit(s[pos + i])) return false;
    v = v * 10 + static_cast<unsigned>(s[pos + i] - '0');
  }
  *out = v;
  return true;
}

// 1..12 for "Jan".."Dec" (case as syslog writes it), 0 otherwise.
unsigned MonthNumber(std::string_view m) {
  static constexpr std::string_view kNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (unsigned i = 0; i < 12; ++i) {
    if (m == kNames[i]) return i + 1;
  }
  return 0;
}

std::string_view SkipSpaces(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

// Cuts the next space-delimited token off `s`.
std::string_view NextToken(std::string_view* s) {
  const size_t end = s->find(' ');
  std::string_view tok = s->substr(0, end);
  s->remove_prefix(end == std::string_view::npos ? s->size() : end);
  return tok;
}

// A pid of 1 to 10 digits, or -1.
int64_t ParsePid(std::string_view digits) {
  if (digits.empty() || digits.size() > 10) return -1;
  int64_t pid = 0;
  for (char c : digits) {
    if (!IsDigit(c)) return -1;
    pid = pid * 10 + (c - '0');
  }
  return pid;
}

bool LooksLikeTag(std::string_view tok) {
  if (tok.size() < 2) return false;
  if (tok.back() == ':') return true;
  return tok.back() == ']' && tok.find('[') != std::string_view::npos;
}

// Fills program and pid from `prog[pid]`, `prog`, or `[prog]` (colon already removed).
bool ReadTag(std::string_view tag, SyslogHeader* out) {
  if (tag.size() >= 2 && tag.front() == '[' && tag.back() == ']') {
    out->program = tag.substr(1, tag.size() - 2);
    return !out->program.empty();
  }
  if (!tag.empty() && tag.back() == ']') {
    const size_t open = tag.rfind('[');
    if (open != std::string_view::npos && open > 0) {
      const int64_t pid = ParsePid(tag.substr(open + 1, tag.size() - open - 2));
      if (pid >= 0) {
        out->program = tag.substr(0, open);
        out->pid = pid;
        return true;
      }
    }
  }
  out->program = tag;
  return !tag.empty();
}

std::string_view StripSolarisId(std::string_view msg) {
  if (msg.substr(0, 4) != "[ID ") return msg;
  const size_t close = msg.find("] ");
  if (close == std::string_view::npos) return msg;
  return msg.substr(close + 2);
}

std::string_view StripPri(std::string_view line) {
  if (line.size() < 3 || line[0] != '<') return line;
  size_t i = 1;
  while (i < line.size() && i <= 4 && IsDigit(line[i])) ++i;
  if (i == 1 || i >= line.size() || line[i] != '>') return line;
  return line.substr(i + 1);
}

// An instant in [1970, 2262), the range of a Timestamp; nullopt outside it.
std::optional<Timestamp> ToTimestamp(std::chrono::sys_seconds t) {
  constexpr int64_t kMaxSeconds = INT64_MAX / 1'000'000'000;
  const int64_t s = t.time_since_epoch().count();
  if (s < 0 || s >= kMaxSeconds) return std::nullopt;
  return Timestamp(t);
}

struct BsdTime {
  unsigned month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

// `Mmm dd HH:MM:SS` at the start of `s`; advances past it.
bool ScanBsdTime(std::string_view* s, BsdTime* out) {
  std::string_view t = *s;
  if (t.size() < 14 || t[3] != ' ') return false;
  out->month = MonthNumber(t.substr(0, 3));
  if (out->month == 0) return false;
  size_t pos = 4;
  if (t[pos] == ' ') ++pos;  // space-padded day
  if (Digits(t, pos, 2, &out->day)) {
    pos += 2;
  } else if (Digits(t, pos, 1, &out->day)) {
    pos += 1;
  } else {
    return false;
  }
  if (pos >= t.size() || t[pos] != ' ') return false;
  ++pos;
  if (!Digits(t, pos, 2, &out->hour) || pos + 8 > t.size() || t[pos + 2] != ':' ||
      !Digits(t, pos + 3, 2, &out->minute) || t[pos + 5] != ':' ||
      !Digits(t, pos + 6, 2, &out->second)) {
    return false;
  }
  pos += 8;
  if (pos < t.size() && t[pos] != ' ') return false;
  if (out->hour > 23 || out->minute > 59 || out->second > 60) return false;
  if (out->second == 60) out->second = 59;  // a leap second is folded into the one before
  s->remove_prefix(pos);
  return true;
}

// sudo's own log file (`Defaults logfile=...`): `Mmm dd HH:MM:SS [YYYY ]: USER : ...`.
bool SudoLogFile(std::string_view rest, const BsdTime& bt, const YearInference& years,
                 SyslogHeader* h) {
  std::optional<Timestamp> t;
  unsigned year = 0;
  if (rest.size() > 8 && rest[0] == ' ' && Digits(rest, 1, 4, &year) && rest.substr(5, 3) == " : ") {
    t = years.InYear(static_cast<int>(year), bt.month, bt.day, bt.hour, bt.minute, bt.second);
    rest.remove_prefix(5);
  } else if (rest.substr(0, 3) == " : ") {
    t = years.Resolve(bt.month, bt.day, bt.hour, bt.minute, bt.second);
  } else {
    return false;
  }
  if (!t) return false;
  h->time = *t;
  h->has_time = true;
  h->program = "sudo";
  h->message = rest.substr(3);
  return true;
}

// RFC 5424 structured data: `-` or one or more `[id param="value" ...]`.
bool SkipStructuredData(std::string_view* s) {
  std::string_view t = *s;
  if (!t.empty() && t[0] == '-') {
    s->remove_prefix(1);
    return true;
  }
  size_t i = 0;
  if (t.empty() || t[0] != '[') return false;
  while (i < t.size() && t[i] == '[') {
    ++i;
    bool quoted = false;
    for (;; ++i) {
      if (i >= t.size()) return false;
      const char c = t[i];
      if (quoted) {
        if (c == '\\') ++i;  // \" \\ \] are escapes inside a value
        else if (c == '"') quoted = false;
      } else if (c == '"') {
        quoted = true;
      } else if (c == ']') {
        ++i;
        break;
      }
    }
  }
  s->remove_prefix(i);
  return true;
}

std::optional<SyslogHeader> ParseRfc5424(std::string_view rest) {
  // `rest` follows "<PRI>1 ".
  SyslogHeader h;
  std::string_view ts = NextToken(&rest);
  if (ts != "-") {
    auto t = ParseRfc3339(ts);
    if (!t) return std::nullopt;
    h.time = *t;
    h.has_time = true;
  }
  std::string_view fields[4];  // HOST APP PROCID MSGID
  for (auto& f : fields) {
    if (rest.empty() || rest[0] != ' ') return std::nullopt;
    rest.remove_prefix(1);
    f = NextToken(&rest);
    if (f.empty()) return std::nullopt;
    if (f == "-") f = {};
  }
  if (rest.empty() || rest[0] != ' ') return std::nullopt;
  rest.remove_prefix(1);
  if (!SkipStructuredData(&rest)) return std::nullopt;
  if (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
  if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);
  h.host = fields[0];
  h.program = fields[1];
  if (!fields[2].empty()) h.pid = ParsePid(fields[2]);
  h.message = StripSolarisId(rest);
  return h;
}

}  // namespace

YearInference::YearInference(Timestamp reference, std::chrono::seconds utc_offset)
    : offset_(utc_offset) {
  ref_local_ = std::chrono::floor<seconds>(reference) + utc_offset;
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(ref_local_)};
  ref_year_ = static_cast<int>(ymd.year());
}

std::chrono::seconds YearInference::LocalUtcOffset() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  if (localtime_r(&now, &tm) == nullptr) return seconds(0);
  return seconds(tm.tm_gmtoff);
}

std::optional<Timestamp> YearInference::InYear(int year, unsigned month, unsigned day,
                                               unsigned hour, unsigned minute,
                                               unsigned second) const {
  const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                                        std::chrono::day(day)};
  if (!ymd.ok()) return std::nullopt;
  return ToTimestamp(std::chrono::sys_days(ymd) + hours(hour) + minutes(minute) +
                     seconds(second) - offset_);
}

std::optional<Timestamp> YearInference::Resolve(unsigned month, unsigned day, unsigned hour,
                                                unsigned minute, unsigned second) const {
  const auto at = [&](int year) -> std::optional<std::chrono::sys_seconds> {
    const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                                          std::chrono::day(day)};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days(ymd) + hours(hour) + minutes(minute) + seconds(second);
  };
  auto local = at(ref_year_);
  // A date after the reference (beyond a little clock skew) was written last year; so
  // was a February 29 that the reference's year does not have.
  if (!local || *local > ref_local_ + hours(48)) {
    local = at(ref_year_ - 1);
    if (!local) return std::nullopt;
  }
  return ToTimestamp(*local - offset_);
}

bool ParseHostAndTag(std::string_view text, SyslogHeader* out) {
  text = SkipSpaces(text);
  std::string_view rest = text;
  std::string_view tok = NextToken(&rest);
  if (!LooksLikeTag(tok)) {
    out->host = tok;
    rest = SkipSpaces(rest);
    std::string_view after_host = rest;
    tok = NextToken(&rest);
    if (!LooksLikeTag(tok)) {
      out->message = after_host;
      return false;
    }
  }
  if (tok.back() == ':') tok.remove_suffix(1);
  if (!ReadTag(tok, out)) {
    out->message = rest;
    return false;
  }
  if (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
  out->message = StripSolarisId(rest);
  return true;
}

std::optional<SyslogHeader> ParseSyslogHeader(std::string_view line, const YearInference& years) {
  std::string_view rest = StripPri(line);
  if (rest.size() != line.size() && rest.size() > 2 && rest[0] == '1' && rest[1] == ' ') {
    return ParseRfc5424(rest.substr(2));
  }
  SyslogHeader h;
  if (!rest.empty() && IsDigit(rest[0])) {
    std::string_view ts = NextToken(&rest);
    auto t = ParseRfc3339(ts);
    if (!t) return std::nullopt;
    h.time = *t;
  } else {
    BsdTime bt;
    if (!ScanBsdTime(&rest, &bt)) return std::nullopt;
    if (SudoLogFile(rest, bt, years, &h)) return h;
    auto t = years.Resolve(bt.month, bt.day, bt.hour, bt.minute, bt.second);
    if (!t) return std::nullopt;
    h.time = *t;
  }
  h.has_time = true;
  if (!ParseHostAndTag(rest, &h)) return std::nullopt;
  return h;
}

}  // namespace vigil::access
