// Privileges: see privileges.h. Raw system calls (capset, prctl) rather than libcap: the
// few calls needed are short and it keeps the binary's dependencies as they are.
#include "privileges.h"

#include <dirent.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <set>

#include "vigil/log.h"

namespace vigil {
namespace {

struct TargetUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

Result<TargetUser> LookUpUser(const std::string& name) {
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  int rc = 0;
  while ((rc = getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found)) == ERANGE &&
         buf.size() < (size_t{1} << 20)) {
    buf.resize(buf.size() * 2);
  }
  if (rc != 0) return Status::FromErrno("looking up user '" + name + "'", rc);
  if (found == nullptr) {
    return Status::NotFound("user '" + name + "' (config key user) does not exist");
  }
  return TargetUser{name, pw.pw_uid, pw.pw_gid};
}

std::string CurrentUserName() {
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwuid_r(geteuid(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    return "uid " + std::to_string(geteuid());
  }
  return pw.pw_name;
}

size_t CountThreads() {
  size_t n = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') ++n;
    }
    closedir(d);
  }
  return n;
}

// Creates `dir` and its missing parents; those it creates (and only those) are given to
// the user. An existing directory (or a symbolic link to one) keeps its owner.
Status PrepareStateDir(const std::string& dir, const TargetUser& user) {
  const std::filesystem::path path = std::filesystem::path(dir).lexically_normal();
  std::filesystem::path prefix;
  for (const auto& part : path) {
    prefix /= part;
    if (part.empty() || part == "/") continue;
    struct stat st {};
    bool created = false;
    if (stat(prefix.c_str(), &st) != 0) {
      if (errno != ENOENT) return Status::FromErrno("state directory " + prefix.string(), errno);
      if (mkdir(prefix.c_str(), 0750) == 0) {
        created = true;
      } else if (errno != EEXIST || stat(prefix.c_str(), &st) != 0) {
        return Status::FromErrno("cannot create state directory " + prefix.string(), errno);
      }
    }
    if (created) {
      if (chown(prefix.c_str(), user.uid, user.gid) != 0) {
        return Status::FromErrno("cannot give " + prefix.string() + " to " + user.name, errno);
      }
    } else if (!S_ISDIR(st.st_mode)) {
      return Status::IoError("state directory " + dir + ": " + prefix.string() +
                             " is not a directory");
    }
  }
  return Status::Ok();
}

// Both 32-bit words of each set (capabilities 0-63).
struct CapSets {
  uint64_t effective = 0, permitted = 0, inheritable = 0;
};

uint64_t Mask(const std::vector<Capability>& caps) {
  uint64_t m = 0;
  for (Capability c : caps) m |= uint64_t{1} << static_cast<int>(c);
  return m;
}

Status GetCaps(CapSets* out) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return Status::FromErrno("capget", errno);
  auto join = [](uint32_t lo, uint32_t hi) { return (uint64_t{hi} << 32) | lo; };
  out->effective = join(data[0].effective, data[1].effective);
  out->permitted = join(data[0].permitted, data[1].permitted);
  out->inheritable = join(data[0].inheritable, data[1].inheritable);
  return Status::Ok();
}

Status SetCaps(uint64_t effective_and_permitted) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  for (int word = 0; word < 2; ++word) {
    const auto bits = static_cast<uint32_t>(effective_and_permitted >> (32 * word));
    data[word].effective = bits;
    data[word].permitted = bits;
    data[word].inheritable = 0;
  }
  if (syscall(SYS_capset, &header, data) != 0) return Status::FromErrno("capset", errno);
  return Status::Ok();
}

// Removes every capability but `keep` from the bounding set. Needs CAP_SETPCAP (root has
// it; a container may not): without it the bounding set stays and a warning says so,
// since after the switch neither the permitted set nor an exec can use it anyway.
void CutBoundingSet(uint64_t keep) {
  for (int cap = 0; cap < 64; ++cap) {
    if ((keep >> cap) & 1) continue;
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1) continue;  // absent or unknown
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
      VIGIL_LOG(kWarning) << "cannot cut the capability bounding set ("
                          << Status::FromErrno("PR_CAPBSET_DROP", errno).message()
                          << "); continuing";
      return;
    }
  }
}

Status Switch(const TargetUser& user, uint64_t keep) {
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return Status::FromErrno("PR_SET_KEEPCAPS", errno);
  CutBoundingSet(keep);
  if (initgroups(user.name.c_str(), user.gid) != 0) {
    return Status::FromErrno("cannot set the groups of " + user.name, errno);
  }
  if (setresgid(user.gid, user.gid, user.gid) != 0) {
    return Status::FromErrno("cannot switch to group " + std::to_string(user.gid), errno);
  }
  if (setresuid(user.uid, user.uid, user.uid) != 0) {
    return Status::FromErrno("cannot switch to user " + user.name, errno);
  }
  VIGIL_RETURN_IF_ERROR(SetCaps(keep));
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return Status::FromErrno("PR_SET_KEEPCAPS", errno);
  // Ambient capabilities exist since Linux 4.3; EINVAL before that means there are none.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return Status::FromErrno("PR_CAP_AMBIENT_CLEAR_ALL", errno);
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return Status::FromErrno("PR_SET_NO_NEW_PRIVS", errno);
  }
  // Changing uid made the process non-dumpable, which gives /proc/self to root; Vigil reads
  // its own /proc/self/fd and stat for the process metrics.
  if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0) return Status::FromErrno("PR_SET_DUMPABLE", errno);
  return Status::Ok();
}

Status Verify(const TargetUser& user, uint64_t keep, const std::string& state_dir) {
  if (setresuid(0, 0, 0) == 0 || geteuid() == 0 || getuid() == 0) {
    return Status::Internal("root could be regained after switching to " + user.name);
  }
  CapSets now;
  VIGIL_RETURN_IF_ERROR(GetCaps(&now));
  if (now.effective != keep || now.permitted != keep || now.inheritable != 0) {
    return Status::Internal("capabilities after the switch are not the ones asked for");
  }
  // access() checks with the real uid and without capabilities: what the user itself may do.
  if (access(state_dir.c_str(), W_OK | X_OK) != 0) {
    return Status::FromErrno("state directory " + state_dir + " is not writable by " +
                                 user.name + " (chown it to that user)",
                             errno);
  }
  return Status::Ok();
}

}  // namespace

std::vector<Capability> NeededCapabilities(const DaemonConfig& config,
                                           const CollectorRegistry& registry) {
  std::set<Capability> caps;
  for (const CollectorEntry& entry : config.collectors) {
    if (!entry.enabled) continue;
    if (const CollectorFactory* f = registry.Find(entry.type)) {
      for (Capability c : f->capabilities()) caps.insert(c);
    }
  }
  if (config.metrics_enabled) {
    auto listen = ParseListenAddress(config.metrics_listen);
    if (listen && listen->port < 1024) caps.insert(Capability::kNetBindService);
  }
  return {caps.begin(), caps.end()};
}

std::string CapabilityName(Capability c) {
  switch (c) {
    case Capability::kDacReadSearch: return "cap_dac_read_search";
    case Capability::kNetBindService: return "cap_net_bind_service";
    case Capability::kNetAdmin: return "cap_net_admin";
    case Capability::kNetRaw: return "cap_net_raw";
    case Capability::kSysAdmin: return "cap_sys_admin";
  }
  return "cap_" + std::to_string(static_cast<int>(c));
}

std::string CapabilityNames(const std::vector<Capability>& caps) {
  if (caps.empty()) return "none";
  std::string out;
  for (Capability c : caps) out += (out.empty() ? "" : ",") + CapabilityName(c);
  return out;
}

Status DropPrivileges(const DaemonConfig& config, const CollectorRegistry& registry) {
  if (config.user.empty()) return Status::Ok();
  if (geteuid() != 0) {
    const std::string current = CurrentUserName();
    if (current != config.user) {
      VIGIL_LOG(kWarning) << "not started as root: running as " << current
                          << ", not as the configured user " << config.user;
    }
    return Status::Ok();
  }
  auto user = LookUpUser(config.user);
  if (!user.ok()) return user.status();
  if (user->uid == 0) return Status::Ok();  // `user: root`: stay
  if (size_t threads = CountThreads(); threads != 1) {
    return Status::Internal("cannot drop privileges with " + std::to_string(threads) +
                            " threads running (capabilities are per thread)");
  }
  VIGIL_RETURN_IF_ERROR(PrepareStateDir(config.state_dir, *user));
  // Only what this process holds can be kept (a container's root may lack some).
  CapSets held;
  VIGIL_RETURN_IF_ERROR(GetCaps(&held));
  std::vector<Capability> caps, missing;
  for (Capability c : NeededCapabilities(config, registry)) {
    ((held.permitted & Mask({c})) != 0 ? caps : missing).push_back(c);
  }
  if (!missing.empty()) {
    VIGIL_LOG(kWarning) << "this process does not hold " << CapabilityNames(missing)
                        << "; collectors that need it may fail to open their sources";
  }
  const uint64_t keep = Mask(caps);
  VIGIL_RETURN_IF_ERROR(Switch(*user, keep));
  VIGIL_RETURN_IF_ERROR(Verify(*user, keep, config.state_dir));
  VIGIL_LOG(kNotice) << "dropped root: running as " << user->name << " (uid " << user->uid
                     << ", gid " << user->gid << ") with capabilities "
                     << CapabilityNames(caps);
  return Status::Ok();
}

}  // namespace vigil
