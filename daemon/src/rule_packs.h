// Rule packs: the rule files Vigil ships (rules/packs/*.yaml in the source tree, installed
// in ${datadir}/vigil/packs), named in the config as `rules.packs: [security-baseline, ...]`.
//
// A pack NAME is the file <packs_dir>/NAME.yaml. The packs directory is `rules.packs_dir`
// when given, else DefaultPacksDir(): the installed directory, or, for a binary running
// from its build directory (`make run`, the tests), the packs of the source tree it was
// built from. When any pack is named, <packs_dir>/site-lists.yaml (the lists and macros a
// site adapts: networks, resolvers, admin users, ...) is loaded first. Files of
// `rules.paths` load after the packs, so /etc/vigil/rules.d can redefine or extend those
// lists and macros (docs/rules.md, "Overriding lists and macros").
//
// Threading: no state; any thread.
#pragma once

#include <string>
#include <vector>

namespace vigil {

inline constexpr const char* kSiteListsPack = "site-lists";

// The packs directory used when the config does not set `rules.packs_dir`.
std::string DefaultPacksDir();

// True when `name` may name a pack: 1-64 of [a-z0-9-], starting with a letter or digit.
bool ValidPackName(const std::string& name);

// <dir>/<name>.yaml
std::string PackFile(const std::string& dir, const std::string& name);

// The names of the packs in `dir` (files NAME.yaml, site-lists excluded), sorted.
std::vector<std::string> AvailablePacks(const std::string& dir);

}  // namespace vigil
