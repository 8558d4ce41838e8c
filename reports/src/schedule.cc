#include "vigil/report/schedule.h"

#include <chrono>

#include "vigil/time_format.h"

namespace vigil::report {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

Timestamp At(sys_days d) { return std::chrono::time_point_cast<Timestamp::duration>(d); }

}  // namespace

std::optional<Cadence> ParseCadence(std::string_view text) {
  if (text == "daily") return Cadence::kDaily;
  if (text == "weekly") return Cadence::kWeekly;
  if (text == "monthly") return Cadence::kMonthly;
  if (text == "quarterly") return Cadence::kQuarterly;
  return std::nullopt;
}

Period LastCompletedPeriod(Cadence cadence, Timestamp now) {
  const sys_days today = std::chrono::floor<days>(now);
  switch (cadence) {
    case Cadence::kDaily:
      return {At(today - days(1)), At(today)};
    case Cadence::kWeekly: {
      const std::chrono::weekday wd(today);
      const sys_days monday = today - days((wd.c_encoding() + 6) % 7);
      return {At(monday - days(7)), At(monday)};
    }
    case Cadence::kMonthly: {
      const year_month_day ymd(today);
      const sys_days first = sys_days(ymd.year() / ymd.month() / 1);
      const year_month_day prev = year_month_day(first - days(1));
      return {At(sys_days(prev.year() / prev.month() / 1)), At(first)};
    }
    case Cadence::kQuarterly: {
      const year_month_day ymd(today);
      const unsigned m = static_cast<unsigned>(ymd.month());
      const unsigned q_month = (m - 1) / 3 * 3 + 1;
      const sys_days start = sys_days(ymd.year() / std::chrono::month(q_month) / 1);
      std::chrono::year y = ymd.year();
      int pm = static_cast<int>(q_month) - 3;
      if (pm < 1) {
        pm += 12;
        y -= std::chrono::years(1);
      }
      return {At(sys_days(y / std::chrono::month(static_cast<unsigned>(pm)) / 1)), At(start)};
    }
  }
  return {At(today - days(1)), At(today)};
}

std::string ScheduledBundleName(const std::string& schedule, const Period& period) {
  return schedule + "-" + FormatRfc3339(period.from).substr(0, 10);
}

}  // namespace vigil::report
