// OwnerNames: user and group names of the uids and gids a scan meets, looked up once each
// (getpwuid_r/getgrgid_r) and cached: a tree has few owners. A number without a name stays
// the number, as ls shows it. Used by one scan's thread.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace vigil::retention {

class OwnerNames {
 public:
  const std::string& User(uint32_t uid);
  const std::string& Group(uint32_t gid);

 private:
  std::unordered_map<uint32_t, std::string> users_, groups_;
};

}  // namespace vigil::retention
