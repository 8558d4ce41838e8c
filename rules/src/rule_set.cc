#include "vigil/rules/rule_set.h"

#include "rule_compiler.h"
#include "rule_reader.h"
#include "rule_set_impl.h"

namespace vigil {
namespace {

Result<std::unique_ptr<RuleSet>> Finish(rules::RawRuleFile& raw, const RuleOptions& options, Diagnostics& diags,
                                        Diagnostics& local) {
  auto impl = std::make_unique<RuleSet::Impl>();
  rules::CompileRules(raw, options, FieldRegistry::Global(), *impl, local);
  diags.Append(local);
  if (local.has_errors()) {
    return Status::InvalidArgument("rules: " + std::to_string(local.error_count()) + " error" +
                                   (local.error_count() == 1 ? "" : "s"));
  }
  return std::make_unique<RuleSet>(std::move(impl));
}

}  // namespace

namespace rules {

Alert CompiledRule::MakeAlert(const Event& event) const {
  Alert a;
  a.rule_id = info.id;
  a.rule_name = info.name;
  a.rule_description = info.description;
  a.severity = info.severity;
  a.tags = info.tags;
  a.controls = info.controls;
  a.output = output ? output->Render(event) : info.name;
  a.timestamp = event.time();
  a.event = event;
  return a;
}

}  // namespace rules

RuleSet::RuleSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RuleSet::~RuleSet() = default;

void RuleSet::Evaluate(const Event& event, std::vector<Alert>& out) {
  for (uint32_t i : impl_->index.Candidates(event)) {
    const rules::CompiledRule& r = impl_->rules[i];
    if (r.Matches(event)) out.push_back(r.MakeAlert(event));
  }
}

const std::vector<RuleInfo>& RuleSet::rules() const { return impl_->infos; }

RuleTestReport RuleSet::RunTests() const {
  RuleTestReport report;
  report.rules = impl_->rules.size();
  for (const rules::CompiledRule& r : impl_->rules) {
    size_t n = 0;
    for (const rules::RawTest& t : r.tests) {
      ++n;
      if (r.info.has_correlation) {
        ++report.skipped;
        continue;
      }
      if (!t.event || !r.condition) {  // reported at load
        ++report.failed;
        continue;
      }
      bool got = r.Matches(*t.event);
      if (got == t.match) {
        ++report.passed;
        continue;
      }
      ++report.failed;
      report.failures.Error(t.location, "E220",
                            "test " + std::to_string(n) + " of rule '" + r.info.id + "' failed: expected " +
                                (t.match ? "a match" : "no match") + ", got " + (got ? "a match" : "no match"));
    }
  }
  return report;
}

Result<std::unique_ptr<RuleSet>> LoadRules(const std::vector<std::string>& files, const RuleOptions& options,
                                           Diagnostics& diags) {
  Diagnostics local;
  rules::RawRuleFile raw;
  for (const std::string& f : files) rules::ReadRuleFile(f, raw, local);
  return Finish(raw, options, diags, local);
}

Result<std::unique_ptr<RuleSet>> LoadRulesFromString(std::string_view text, const std::string& name,
                                                     const RuleOptions& options, Diagnostics& diags) {
  Diagnostics local;
  rules::RawRuleFile raw;
  rules::ReadRuleText(text, name, raw, local);
  return Finish(raw, options, diags, local);
}

}  // namespace vigil
