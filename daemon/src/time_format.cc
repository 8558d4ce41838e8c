#include "vigil/time_format.h"

#include <chrono>
#include <cstdint>
#include <limits>

namespace vigil {
namespace {

using std::chrono::days;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// Appends `value` as exactly `width` decimal digits (value is known to fit).
void AppendDigits(std::string& out, int64_t value, int width) {
  char buf[20];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buf, static_cast<size_t>(width));
}

// A cursor over the text being parsed; every read checks bounds.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  // Reads exactly `n` decimal digits.
  bool Digits(int n, int* out) {
    if (text_.size() - pos_ < static_cast<size_t>(n)) return false;
    int v = 0;
    for (int i = 0; i < n; ++i) {
      char c = text_[pos_ + static_cast<size_t>(i)];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    pos_ += static_cast<size_t>(n);
    *out = v;
    return true;
  }
  bool Char(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool AnyOf(std::string_view chars, char* out) {
    if (pos_ < text_.size() && chars.find(text_[pos_]) != std::string_view::npos) {
      *out = text_[pos_++];
      return true;
    }
    return false;
  }
  bool PeekDigit() const { return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; }
  bool done() const { return pos_ == text_.size(); }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// Reads ".d{1,9}" when present, as nanoseconds.
bool ParseFraction(Scanner& s, int64_t* ns) {
  *ns = 0;
  if (!s.Char('.')) return true;
  int digits = 0;
  while (s.PeekDigit()) {
    if (digits == 9) return false;
    int d = 0;
    if (!s.Digits(1, &d)) return false;
    *ns = *ns * 10 + d;
    ++digits;
  }
  if (digits == 0) return false;
  for (int i = digits; i < 9; ++i) *ns *= 10;
  return true;
}

// Reads the zone designator as an offset east of UTC, in seconds.
bool ParseZone(Scanner& s, int64_t* offset) {
  char c = 0;
  if (s.AnyOf("Zz", &c)) {
    *offset = 0;
    return true;
  }
  if (!s.AnyOf("+-", &c)) return false;
  int hh = 0;
  int mm = 0;
  if (!s.Digits(2, &hh)) return false;
  s.Char(':');  // +HH:MM and +HHMM are both accepted
  if (!s.Digits(2, &mm)) return false;
  if (hh > 23 || mm > 59) return false;
  *offset = (c == '-' ? -1 : 1) * (int64_t{hh} * 3600 + int64_t{mm} * 60);
  return true;
}

}  // namespace

std::string FormatRfc3339(Timestamp t) {
  const auto day = std::chrono::floor<days>(t);
  const std::chrono::year_month_day ymd{day};
  const nanoseconds in_day = t - day;  // in [0, 24h)
  const int64_t ns_total = in_day.count();
  const int64_t secs = ns_total / 1'000'000'000;
  const int64_t frac = ns_total % 1'000'000'000;

  std::string out;
  out.reserve(30);
  const int year = static_cast<int>(ymd.year());
  if (year < 0) {
    out.push_back('-');
    AppendDigits(out, -int64_t{year}, 4);
  } else {
    AppendDigits(out, year, 4);
  }
  out.push_back('-');
  AppendDigits(out, static_cast<unsigned>(ymd.month()), 2);
  out.push_back('-');
  AppendDigits(out, static_cast<unsigned>(ymd.day()), 2);
  out.push_back('T');
  AppendDigits(out, secs / 3600, 2);
  out.push_back(':');
  AppendDigits(out, secs / 60 % 60, 2);
  out.push_back(':');
  AppendDigits(out, secs % 60, 2);
  if (frac != 0) {
    out.push_back('.');
    if (frac % 1'000'000 == 0) {
      AppendDigits(out, frac / 1'000'000, 3);
    } else if (frac % 1'000 == 0) {
      AppendDigits(out, frac / 1'000, 6);
    } else {
      AppendDigits(out, frac, 9);
    }
  }
  out.push_back('Z');
  return out;
}

std::optional<Timestamp> ParseRfc3339(std::string_view text) {
  Scanner s(text);
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  char sep = 0;
  if (!s.Digits(4, &year) || !s.Char('-') || !s.Digits(2, &month) || !s.Char('-') ||
      !s.Digits(2, &day) || !s.AnyOf("Tt ", &sep) || !s.Digits(2, &hour) || !s.Char(':') ||
      !s.Digits(2, &minute) || !s.Char(':') || !s.Digits(2, &second)) {
    return std::nullopt;
  }
  int64_t frac = 0;
  int64_t offset = 0;
  if (!ParseFraction(s, &frac) || !ParseZone(s, &offset) || !s.done()) return std::nullopt;
  if (year < 1970 || hour > 23 || minute > 59 || second > 59) return std::nullopt;

  const std::chrono::year_month_day ymd{std::chrono::year{year},
                                        std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;  // month 1..12, day within that month and year

  const int64_t day_number = std::chrono::sys_days{ymd}.time_since_epoch().count();
  // Years up to 9999 keep this far from overflow (< 3e11 seconds).
  const int64_t secs =
      day_number * 86400 + int64_t{hour} * 3600 + int64_t{minute} * 60 + second - offset;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (secs < 0 || secs > (kMax - frac) / 1'000'000'000) return std::nullopt;
  return Timestamp{nanoseconds{secs * 1'000'000'000 + frac}};
}

std::optional<Timestamp> ParseTimeOrDate(std::string_view text) {
  if (auto t = ParseRfc3339(text)) return t;
  if (text.size() == 10) return ParseRfc3339(std::string(text) + "T00:00:00Z");
  return std::nullopt;
}

}  // namespace vigil
