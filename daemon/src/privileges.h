// Privileges: dropping root for the config's `user:` when `vigil run` starts as root.
//
// Under systemd the unit starts Vigil as its own user with ambient capabilities
// (systemd/vigil.service), and nothing here applies. Started as root by hand (or by an
// init without User=), with `user: NAME` in the config, the daemon calls DropPrivileges
// once the configuration is read and before anything else runs:
//   1. the state directory is created, and the directories created for it are given to
//      NAME (an existing directory is left as it is: it must already be writable by NAME);
//   2. the bounding set is cut to the capabilities the enabled collectors declare
//      (CollectorFactory::capabilities(), plus CAP_NET_BIND_SERVICE for a /metrics port
//      below 1024), so that no exec could ever regain the others;
//   3. supplementary groups become NAME's (initgroups), then gid and uid (real, effective
//      and saved) become NAME's, keeping the capabilities through the switch;
//   4. exactly those capabilities stay permitted and effective (those the process holds: a
//      container's root may lack some, which is logged as a warning); none inheritable,
//      none ambient; no_new_privs is set; the process stays dumpable so that it can read
//      its own /proc entries (process metrics): ptrace by other processes of NAME is still
//      refused because they lack its capabilities;
//   5. it checks the result: uid 0 cannot be regained, the capability sets are as asked,
//      and the state directory is writable.
// Rules are loaded afterwards, as NAME, so that a rule file NAME cannot read fails at
// start-up rather than at the first reload. Collectors open their sources on their own
// threads, with the capabilities kept; a reload that enables a collector type needing a
// capability not kept needs a restart (its Run fails with a permission error until then).
//
// Threading: capabilities belong to each thread, so DropPrivileges must run while the
// process has one thread; it checks /proc/self/task and refuses otherwise.
#pragma once

#include <string>
#include <vector>

#include "config.h"
#include "vigil/collector.h"
#include "vigil/status.h"

namespace vigil {

// What the daemon needs when it runs without root: the union of the capabilities of the
// enabled collectors' types, plus CAP_NET_BIND_SERVICE when /metrics is enabled on a port
// below 1024. Sorted by number, without duplicates. Types unknown to `registry` add none.
std::vector<Capability> NeededCapabilities(
    const DaemonConfig& config, const CollectorRegistry& registry = CollectorRegistry::Global());

// "cap_net_raw", as capabilities(7) and /proc list them.
std::string CapabilityName(Capability c);
// "cap_net_raw,cap_net_admin", or "none".
std::string CapabilityNames(const std::vector<Capability>& caps);

// Steps 1-5 above when the process runs as root and config.user names a user other than
// root. Not root: nothing to do (a warning when `user:` names another user than the
// current one, which cannot be switched to). Errors: unknown user, more than one thread, a
// refused system call, a state directory the user cannot write. On error the process may be
// half-switched and must exit.
Status DropPrivileges(const DaemonConfig& config,
                      const CollectorRegistry& registry = CollectorRegistry::Global());

}  // namespace vigil
