// libFuzzer target: the retention policy loader on arbitrary bytes, then every loaded policy
// applied to a few paths (Resolve, ActiveHolds, Roots). Loading must never crash, hang or
// throw; an input either loads or yields error diagnostics, never both or neither. The same
// paths through a PolicyMatcher (decisions kept per directory) must give the policy's answers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "retention_policy.h"
#include "vigil/diagnostic.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vigil::Diagnostics diags;
  auto policy = vigil::retention::LoadPolicyString(text, "fuzz.yaml", diags);
  if (policy.ok() == diags.has_errors()) std::abort();
  if (policy.ok()) {
    vigil::retention::FileClocks clocks;
    clocks.birth = 1700000000;
    clocks.first_seen = 1750000000;
    clocks.mtime = 4102444800;
    vigil::retention::PolicyMatcher matcher(*policy, 1790000000);
    for (const char* path : {"/srv/audit/workpapers/2026/a.xlsx", "/srv/crm/marketing/x", "/",
                             "/srv/records/a/b/c/d/e/f/g/h", "/srv/audit/workpapers/2026/b.pdf",
                             "/srv/crm/marketing/*.pdf", "/srv/crm/marketing/y", "/a", "/srv/x/",
                             "/srv/records/a/b/c/d/e/f/g/[h]", "/srv/**/x"}) {
      auto r = policy->Resolve(path, clocks);
      const auto holds = policy->ActiveHolds(path, 1790000000);
      if (r.max_due && r.min_due && *r.max_due < *r.min_due) std::abort();
      const auto m = matcher.Resolve(path, clocks);
      if (m.classes != r.classes || m.primary != r.primary || m.min_due != r.min_due ||
          m.max_due != r.max_due || m.controls != r.controls) {
        std::abort();
      }
      if (matcher.ActiveHolds(path) != holds) std::abort();
      if (matcher.Unclassified(path) != policy->unclassified.Matches(path)) std::abort();
    }
    (void)policy->Roots();
  }
  (void)diags.FormatText();
  return 0;
}
