// RFC 3339 timestamps: the one textual form of an instant in events, JSON output and logs.
//
// Both functions are pure: no locale, no time zone database, no dependence on $TZ, no
// exceptions. Calendar arithmetic is done on std::chrono's proleptic Gregorian calendar.
//
// FormatRfc3339 writes UTC with a `Z` suffix and the shortest of 0, 3, 6 or 9 fraction
// digits that represents the instant exactly:
//   2026-03-01T10:00:00Z, 2026-03-01T10:00:00.250Z, 2026-03-01T10:00:00.000001Z
//
// ParseRfc3339 accepts `YYYY-MM-DD` `T` (or `t`, or one space) `HH:MM:SS`, an optional
// fraction of 1 to 9 digits after a `.`, and a zone: `Z`, `z`, `+HH:MM`, `-HH:MM`, `+HHMM`
// or `-HHMM`. Every field is range-checked (month 1..12, day within its month including
// February 29 in leap years only, hour 0..23, minute 0..59, second 0..59: a leap second
// `:60` is refused). Years are 1970..9999, and the instant after applying the offset must
// lie in [1970-01-01T00:00:00Z, 2262-04-11T23:47:16.854775807Z], the range of a Timestamp;
// anything else gives nullopt. So every Timestamp that ParseRfc3339 returns formats to a
// string that ParseRfc3339 reads back to the same Timestamp.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "vigil/event.h"

namespace vigil {

std::string FormatRfc3339(Timestamp t);
std::optional<Timestamp> ParseRfc3339(std::string_view text);
// RFC 3339, or a date alone (YYYY-MM-DD: midnight UTC), as command lines take times.
std::optional<Timestamp> ParseTimeOrDate(std::string_view text);

}  // namespace vigil
