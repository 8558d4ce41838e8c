// libFuzzer target: the daemon configuration loader on arbitrary bytes, with the collectors
// and outputs that are linked in (the Global registries), so their Create() sees hostile
// sections too.
// Loading must never crash, hang or throw; every input either loads or yields diagnostics.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config.h"
#include "vigil/diagnostic.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vigil::Diagnostics diags;
  auto config = vigil::LoadConfigString(text, "fuzz.yaml", diags);
  // The contract: an error exactly when there are error diagnostics.
  if (config.ok() == diags.has_errors()) std::abort();
  if (config.ok()) {
    for (const vigil::CollectorEntry& e : config->collectors) {
      vigil::Diagnostics d;
      auto c = vigil::CreateCollector(e, *config, vigil::RunMode::kReplay, d);
      if (c.ok() == d.has_errors()) std::abort();
    }
    for (const vigil::OutputEntry& e : config->outputs) {  // built, never started
      vigil::Diagnostics d;
      auto o = vigil::CreateOutput(e, d);
      if (o.ok() == d.has_errors()) std::abort();
    }
  }
  (void)diags.FormatText();
  (void)diags.FormatJson();
  return 0;
}
