// RetentionResolverFor: the retention horizon of a report (docs/reports.md "Retention
// posture"), from retention policy files. The report library does not read policies; the
// daemon and `vigil report` load them here and hand BuildReport a resolver that, for one item
// of the retention baseline and a time, gives its latest due time (maximum retention) and
// whether an active legal hold covers it then.
//
// With several policies (one per retention collector), an item's due time comes from the
// first policy that classifies its path, and it is held if a hold of any policy covers it.
// No files: an empty resolver (the report says the horizon is unknown).
//
// Threading: the resolver holds its policies, which are immutable; call it from any thread.
#pragma once

#include <string>
#include <vector>

#include "config.h"
#include "vigil/report/report_builder.h"
#include "vigil/status.h"

namespace vigil {

// The policy files of the configuration's enabled retention collectors (`policy:`).
std::vector<std::string> RetentionPolicyFilesOf(const DaemonConfig& config);

// Loads `policy_files`; a file that does not load is an error naming its problems.
Result<report::RetentionResolver> RetentionResolverFor(const std::vector<std::string>& policy_files);

}  // namespace vigil
