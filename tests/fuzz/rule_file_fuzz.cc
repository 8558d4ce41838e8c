// Fuzzes whole rule files: YAML reading, items, macros, lists, exceptions, templates,
// inline tests, correlation and suppression; runs the tests and evaluates one event twice
// when the file loads, then reloads it with smaller caps, adopting the first set's state
// (RuleSet::AdoptState), evaluates once more and ends both streams.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "event_json.h"
#include "vigil/rules/rule_set.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Diagnostics diags;
  auto set = LoadRulesFromString(text, "fuzz.yaml", RuleOptions{{"a"}, {"noisy"}}, diags);
  (void)diags.FormatText();
  if (set.ok()) {
    (void)(*set)->RunTests();
    static const Event event = [] {
      auto e = EventFromJson(R"({"event":{"dataset":"access.sshd","category":["authentication"],
        "action":"ssh_login"},
        "user":{"name":"root"},"source":{"ip":"10.1.2.3"}})");
      return e.ok() ? std::move(*e) : Event();
    }();
    std::vector<Alert> alerts;
    (*set)->Evaluate(event, alerts);
    (*set)->Evaluate(event, alerts);  // a repeat: correlation windows, suppression merges
    Diagnostics again_diags;
    RuleOptions smaller{{"a"}, {"noisy"}};
    smaller.max_groups = 1;
    smaller.max_suppression_keys = 1;
    auto again = LoadRulesFromString(text, "fuzz.yaml", smaller, again_diags);
    if (again.ok()) {
      (void)(*again)->AdoptState(**set, alerts);
      (*again)->Evaluate(event, alerts);
      (*again)->Finish(alerts);
    }
    (*set)->Finish(alerts);
    for (const Alert& a : alerts) (void)AlertToJson(a);
  }
  return 0;
}
