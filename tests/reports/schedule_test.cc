// Report schedules (reports/include/vigil/report/schedule.h): the last whole period per cadence.
#include "vigil/report/schedule.h"

#include <gtest/gtest.h>

#include "vigil/time_format.h"

namespace vigil::report {
namespace {

std::string Show(const Period& p) { return FormatRfc3339(p.from) + " " + FormatRfc3339(p.to); }

Timestamp T(const char* s) { return *ParseRfc3339(s); }

TEST(Schedule, LastCompletedPeriods) {
  const Timestamp now = T("2026-11-23T14:30:00Z");  // a Monday
  EXPECT_EQ(Show(LastCompletedPeriod(Cadence::kDaily, now)), "2026-11-22T00:00:00Z 2026-11-23T00:00:00Z");
  EXPECT_EQ(Show(LastCompletedPeriod(Cadence::kWeekly, now)), "2026-11-16T00:00:00Z 2026-11-23T00:00:00Z");
  EXPECT_EQ(Show(LastCompletedPeriod(Cadence::kWeekly, T("2026-11-22T23:59:59Z"))),
            "2026-11-09T00:00:00Z 2026-11-16T00:00:00Z");
  EXPECT_EQ(Show(LastCompletedPeriod(Cadence::kMonthly, now)), "2026-10-01T00:00:00Z 2026-11-01T00:00:00Z");
  EXPECT_EQ(Show(LastCompletedPeriod(Cadence::kMonthly, T("2026-01-01T00:00:00Z"))),
            "2025-12-01T00:00:00Z 2026-01-01T00:00:00Z");
  EXPECT_EQ(Show(LastCompletedPeriod(Cadence::kQuarterly, now)), "2026-07-01T00:00:00Z 2026-10-01T00:00:00Z");
  EXPECT_EQ(Show(LastCompletedPeriod(Cadence::kQuarterly, T("2026-02-10T00:00:00Z"))),
            "2025-10-01T00:00:00Z 2026-01-01T00:00:00Z");
  EXPECT_EQ(Show(LastCompletedPeriod(Cadence::kDaily, T("2024-03-01T00:00:00Z"))),
            "2024-02-29T00:00:00Z 2024-03-01T00:00:00Z");
}

TEST(Schedule, BundleNamesAndCadences) {
  const Period p = LastCompletedPeriod(Cadence::kWeekly, T("2026-11-23T14:30:00Z"));
  EXPECT_EQ(ScheduledBundleName("pci_dss_4-weekly", p), "pci_dss_4-weekly-2026-11-16");
  EXPECT_EQ(ParseCadence("quarterly"), Cadence::kQuarterly);
  EXPECT_FALSE(ParseCadence("hourly"));
}

}  // namespace
}  // namespace vigil::report
