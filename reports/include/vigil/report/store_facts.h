// StoreFacts: what the alert store (daemon/src/store/alert_store.h) holds about a period,
// read once and shared by the report builder, the control evaluation and the daemon's
// compliance gauge, so that all of them see the same facts.
//
//   rulesets   the ruleset records in force in [from, to): the last one before `from`, and
//              every one inside the period
//   runs       the runs that overlap the period; the stretches no run watched are `down`
//   coverage   per collector, the coverage records in the period (or, for a run that wrote
//              none inside it, its first one after), with the counters' growth in the period
//   alerts     the alerts whose event time is in [from, to), with their controls, and their
//              workflow state (status, acknowledgement, resolution) as of `to`: transitions
//              recorded at or after the end are ignored, so the facts of a past period do
//              not change when someone handles an alert later
//
// Threading: one thread per AlertStore, as the store says.
#pragma once

#include <string>
#include <vector>

#include "store/alert_store.h"
#include "vigil/report/control_evaluation.h"
#include "vigil/report/report.h"
#include "vigil/status.h"

namespace vigil::report {

struct StoreFacts {
  Period period;
  std::vector<RulesetInForce> rulesets;
  std::vector<RuleInForce> rules;  // the union of the rulesets' rules, by id
  std::vector<std::string> hosts;  // of the runs and alerts, sorted
  Coverage coverage;
  std::vector<store::StoredAlert> alerts;  // by id, with controls
};

Result<StoreFacts> ReadStoreFacts(store::AlertStore& store, const Period& period);

// The evaluation input for `facts` (frameworks empty: all).
EvaluationInput EvaluationInputFor(const StoreFacts& facts, const std::vector<std::string>& frameworks,
                                   const std::vector<NotApplicable>& not_applicable);

}  // namespace vigil::report
