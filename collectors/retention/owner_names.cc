#include "owner_names.h"

#include <grp.h>
#include <pwd.h>

namespace vigil::retention {

const std::string& OwnerNames::User(uint32_t uid) {
  auto it = users_.find(uid);
  if (it != users_.end()) return it->second;
  std::string name = std::to_string(uid);
  struct passwd pw {};
  struct passwd* out = nullptr;
  char buf[4096];
  if (getpwuid_r(uid, &pw, buf, sizeof buf, &out) == 0 && out != nullptr) name = out->pw_name;
  return users_.emplace(uid, std::move(name)).first->second;
}

const std::string& OwnerNames::Group(uint32_t gid) {
  auto it = groups_.find(gid);
  if (it != groups_.end()) return it->second;
  std::string name = std::to_string(gid);
  struct group gr {};
  struct group* out = nullptr;
  char buf[4096];
  if (getgrgid_r(gid, &gr, buf, sizeof buf, &out) == 0 && out != nullptr) name = out->gr_name;
  return groups_.emplace(gid, std::move(name)).first->second;
}

}  // namespace vigil::retention
