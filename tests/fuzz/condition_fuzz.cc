// Fuzzes condition text: lex, parse, type-check and compile against the global field
// registry, one macro and one list; then evaluates the result on a fixed event.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "condition_compiler.h"
#include "event_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil;
  using namespace vigil::rules;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::map<std::string, ListDef, std::less<>> lists;
  lists["admins"] = ListDef{"admins", {}, {"root", "admin", "10.0.0.0/8"}, false};
  std::map<std::string, MacroDef, std::less<>> macros;
  MacroDef m;
  m.name = "ssh";
  m.text = "event.dataset = access.sshd";
  macros.emplace("ssh", std::move(m));
  Diagnostics diags;
  ConditionCompiler compiler(FieldRegistry::Global(), lists, macros, diags);
  auto compiled = compiler.Compile(text, ScalarLocator(SourceLocation{"fuzz", 1, 1}));
  if (compiled) {
    static const Event event = [] {
      auto e = EventFromJson(R"({"event":{"dataset":"access.sshd","category":["authentication"]},
        "user":{"name":"root"},"source":{"ip":"10.1.2.3","port":22},"@timestamp":"2026-03-01T10:00:00Z"})");
      return e.ok() ? std::move(*e) : Event();
    }();
    (void)compiled->node->Eval(event);
  }
  return 0;
}
