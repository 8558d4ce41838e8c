#include "retention_period.h"

#include <charconv>
#include <chrono>

#include "vigil/time_format.h"

namespace vigil::retention {

int64_t ClampUnix(int64_t s) { return s < 0 ? 0 : (s > kMaxUnixSeconds ? kMaxUnixSeconds : s); }

int64_t RetentionPeriod::AddTo(int64_t start_unix) const {
  using namespace std::chrono;
  int64_t t = ClampUnix(start_unix);
  if (months != 0) {
    const int64_t day_count = t / 86400;
    const int64_t rest = t % 86400;
    year_month_day ymd{sys_days{days{day_count}}};
    ymd = ymd + std::chrono::months{months};
    if (!ymd.ok()) ymd = ymd.year() / ymd.month() / last;
    t = static_cast<int64_t>(sys_days{ymd}.time_since_epoch().count()) * 86400 + rest;
  }
  if (t > kMaxUnixSeconds - seconds) return kMaxUnixSeconds;
  return ClampUnix(t + seconds);
}

std::optional<RetentionPeriod> ParseRetentionPeriod(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  if (i == 0 || i > 12) return std::nullopt;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + i, n);
  if (ec != std::errc() || end != text.data() + i || n <= 0) return std::nullopt;
  const std::string_view unit = text.substr(i);
  RetentionPeriod p;
  p.text = std::string(text);
  constexpr int64_t kMaxSeconds = kMaxPeriodYears * 366 * 86400;
  int64_t mult = 0;
  if (unit == "mo" || unit == "y") {
    const int64_t months = unit == "y" ? n * 12 : n;
    if (n > kMaxPeriodYears * 12 || months > kMaxPeriodYears * 12) return std::nullopt;
    p.months = static_cast<int32_t>(months);
    return p;
  }
  if (unit.empty() || unit == "s") mult = 1;
  else if (unit == "m") mult = 60;
  else if (unit == "h") mult = 3600;
  else if (unit == "d") mult = 86400;
  else if (unit == "w") mult = 7 * 86400;
  else return std::nullopt;
  if (n > kMaxSeconds / mult) return std::nullopt;
  p.seconds = n * mult;
  return p;
}

std::optional<int64_t> ParseDateOrTime(std::string_view text) {
  using namespace std::chrono;
  if (text.size() == 10) {
    int y = 0;
    unsigned m = 0, d = 0;
    auto num = [&](size_t pos, size_t len, auto* out) {
      auto [e, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, *out);
      return ec == std::errc() && e == text.data() + pos + len;
    };
    if (text[4] != '-' || text[7] != '-' || !num(0, 4, &y) || !num(5, 2, &m) || !num(8, 2, &d)) {
      return std::nullopt;
    }
    const year_month_day ymd{year{y}, month{m}, day{d}};
    if (!ymd.ok() || y < 1970 || y > 2199) return std::nullopt;
    return static_cast<int64_t>(sys_days{ymd}.time_since_epoch().count()) * 86400;
  }
  auto t = ParseRfc3339(text);
  if (!t) return std::nullopt;
  const int64_t s = duration_cast<seconds>(t->time_since_epoch()).count();
  if (s > kMaxUnixSeconds) return std::nullopt;
  return s;
}

}  // namespace vigil::retention
