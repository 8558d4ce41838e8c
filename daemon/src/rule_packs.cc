#include "rule_packs.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace vigil {

std::string DefaultPacksDir() {
#if defined(VIGIL_BUILD_DIR) && defined(VIGIL_SOURCE_PACKS_DIR)
  // A binary inside its build tree has not been installed: use the packs it was built with.
  // Both paths canonical, so that a build directory reached through a symlink still counts.
  std::error_code ec, ec2;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::filesystem::path build = std::filesystem::weakly_canonical(VIGIL_BUILD_DIR, ec2);
  if (!ec && !ec2 && exe.string().starts_with(build.string() + "/")) return VIGIL_SOURCE_PACKS_DIR;
#endif
  return VIGIL_PACKS_DIR;
}

bool ValidPackName(const std::string& name) {
  if (name.empty() || name.size() > 64 || name.front() == '-') return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

std::string PackFile(const std::string& dir, const std::string& name) {
  return (dir.empty() || dir.back() == '/' ? dir : dir + "/") + name + ".yaml";
}

std::vector<std::string> AvailablePacks(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::filesystem::path& p = it->path();
    if (p.extension() != ".yaml") continue;
    std::string stem = p.stem().string();
    if (stem != kSiteListsPack && ValidPackName(stem)) names.push_back(std::move(stem));
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace vigil
