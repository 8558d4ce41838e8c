#include "ssh_event.h"

#include "app_event.h"

namespace vigil::network {

Event SshEvent(const SshBanner& b, bool client, const DecodedPacket& p, int64_t ts_ns,
               const NetworkFieldIds& ids) {
  Event e = AppMessageEvent(p, ts_ns, "network.ssh", "ssh",
                            client ? "ssh_client_banner" : "ssh_server_banner");
  e.Set(ids.ssh_version, b.version);
  e.Set(ids.ssh_software, b.software);
  if (!b.comments.empty()) e.Set(ids.ssh_comments, b.comments);
  return e;
}

}  // namespace vigil::network
