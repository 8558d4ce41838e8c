// Report schedules: which period a scheduled report covers and what its bundle is called.
// A schedule's cadence (daily, weekly, monthly, quarterly) names calendar periods in UTC:
// days from midnight, weeks from Monday, months from the 1st, quarters from January, April,
// July and October. The daemon writes, for each schedule, the last whole period that has
// ended, once: its bundle directory is named after the schedule and the period's first
// day, so a restart does not write it again and a missed period is written when the daemon
// is back.
//
// Threading: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "vigil/event.h"
#include "vigil/report/report.h"

namespace vigil::report {

enum class Cadence { kDaily, kWeekly, kMonthly, kQuarterly };

std::optional<Cadence> ParseCadence(std::string_view text);

// The last whole period of `cadence` that ended at or before `now`.
Period LastCompletedPeriod(Cadence cadence, Timestamp now);

// "<schedule>-<YYYY-MM-DD of period.from>"
std::string ScheduledBundleName(const std::string& schedule, const Period& period);

}  // namespace vigil::report
