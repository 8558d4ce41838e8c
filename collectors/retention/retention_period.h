// RetentionPeriod: a retention duration as compliance officers write it ("7y", "24mo", "30d").
//
// Units: s, m (minutes), h, d, w, mo (calendar months), y (calendar years). Months and years
// are calendar arithmetic on the proleptic Gregorian calendar in UTC: 2020-02-29 + 1y is
// 2021-02-28 (the day is clamped to the end of the month), 2026-01-31 + 1mo is 2026-02-28.
// Everything here works on Unix seconds (int64) so that hostile times (a file's mtime set to
// year 9999) cannot overflow; results are clamped to [0, kMaxUnixSeconds].
//
// Pure functions and plain values; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::retention {

// 2200-01-01T00:00:00Z: beyond every retention period that makes sense, and far inside the
// range of a nanosecond Timestamp.
inline constexpr int64_t kMaxUnixSeconds = 7258118400;
// The longest period accepted: 150 years.
inline constexpr int64_t kMaxPeriodYears = 150;

struct RetentionPeriod {
  int64_t seconds = 0;  // the s/m/h/d/w part
  int32_t months = 0;   // the mo/y part (a year is 12 months)
  std::string text;     // as written, for events ("7y")

  // `start` + this period, clamped to [0, kMaxUnixSeconds].
  int64_t AddTo(int64_t start_unix) const;
  // An approximate length (a month is 2629746 s, the mean Gregorian month), to rank periods.
  double ApproxSeconds() const { return static_cast<double>(seconds) + months * 2629746.0; }
};

// "7y", "24mo", "90d", "12h", "30m", "45s", "2w"; a bare integer is seconds. nullopt when the
// text is not of that shape, the number is zero or negative, or the period is longer than
// kMaxPeriodYears.
std::optional<RetentionPeriod> ParseRetentionPeriod(std::string_view text);

// A date ("2026-03-01", 00:00:00Z) or an RFC 3339 instant, as Unix seconds; nullopt otherwise.
std::optional<int64_t> ParseDateOrTime(std::string_view text);

// Clamps to [0, kMaxUnixSeconds].
int64_t ClampUnix(int64_t s);

}  // namespace vigil::retention
