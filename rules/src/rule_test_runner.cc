// RuleSet::RunTests: runs each rule's inline tests (docs/rules.md, "Inline tests").
//
// A test feeds its events, in order, to the rule alone, on fresh state: a plain rule
// "alerts" once per event it matches; a correlation rule is given fresh windows and alerts
// each time it fires (its `rules` are evaluated on each event to feed it, whether they are
// enabled or not; lt/lte windows close as the test's event time passes their end, and one
// still open after the last event does not fire). Suppression does not apply: a test checks the rule's logic.
#include <string>

#include "rule_set_impl.h"
#include "vigil/rules/rule_set.h"

namespace vigil {
namespace {

uint64_t CountAlerts(const RuleSet::Impl& im, const rules::CompiledRule& r, const std::vector<Event>& events) {
  uint64_t n = 0;
  if (!r.correlation) {
    for (const Event& e : events) n += r.Matches(e) ? 1 : 0;
    return n;
  }
  rules::CorrelationWindows windows(*r.correlation, im.options.max_groups, im.options.max_window_entries);
  std::vector<std::pair<CorrelationInfo, Event>> fired;
  Timestamp now{};
  for (const Event& e : events) {
    if (r.correlation->closes() && e.time() > now) {  // as RuleSet::Evaluate: close windows first
      now = e.time();
      fired.clear();
      windows.Advance(now, fired);
      n += fired.size();
    }
    if (r.sources.empty()) {
      if (r.Matches(e) && windows.Feed(e, 0)) ++n;
      continue;
    }
    bool fed = false;
    for (uint32_t pos = 0; pos < r.sources.size(); ++pos) {
      if (!im.rules[r.sources[pos]].Matches(e) || !r.Matches(e)) continue;
      if (fed && !r.correlation->temporal()) break;  // counted once per event
      fed = true;
      if (windows.Feed(e, pos)) ++n;
    }
  }
  return n;
}

std::string Plural(uint64_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

RuleTestReport RuleSet::RunTests() const {
  RuleTestReport report;
  report.rules = impl_->rules.size();
  for (const rules::CompiledRule& r : impl_->rules) {
    size_t n = 0;
    for (const rules::RawTest& t : r.tests) {
      ++n;
      if (!t.valid || !r.condition) {  // reported at load
        ++report.failed;
        continue;
      }
      const uint64_t got = CountAlerts(*impl_, r, t.events);
      const bool pass = (!t.match || *t.match == (got > 0)) && (!t.alerts || *t.alerts == got);
      if (pass) {
        ++report.passed;
        continue;
      }
      ++report.failed;
      std::string want, have;
      if (t.alerts) {
        want = Plural(*t.alerts, "alert");
        if (t.match) want += *t.match ? " (a match)" : " (no match)";
      } else {
        want = *t.match ? "a match" : "no match";
      }
      if (t.alerts || t.events.size() > 1) {
        have = Plural(got, "alert");
      } else {
        have = got > 0 ? "a match" : "no match";
      }
      report.failures.Error(t.location, "E220",
                            "test " + std::to_string(n) + " of rule '" + r.info.id + "' failed: expected " + want +
                                ", got " + have);
    }
  }
  return report;
}

}  // namespace vigil
