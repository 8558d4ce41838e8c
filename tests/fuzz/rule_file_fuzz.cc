// Fuzzes whole rule files: YAML reading, items, macros, lists, exceptions, templates,
// inline tests, correlation and suppression; runs the tests and evaluates one event twice
// (then ends the stream) when the file loads.
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
      auto e = EventFromJson(R"({"event":{"dataset":"access.sshd","category":["authentication"]},
        "user":{"name":"root"},"source":{"ip":"10.1.2.3"}})");
      return e.ok() ? std::move(*e) : Event();
    }();
    std::vector<Alert> alerts;
    (*set)->Evaluate(event, alerts);
    (*set)->Evaluate(event, alerts);  // a repeat: correlation windows, suppression merges
    (*set)->Finish(alerts);
    for (const Alert& a : alerts) (void)AlertToJson(a);
  }
  return 0;
}
