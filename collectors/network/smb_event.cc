#include "smb_event.h"

#include "app_event.h"

namespace vigil::network {

Event SmbEvent(const SmbNegotiate& m, const DecodedPacket& p, int64_t ts_ns,
               const NetworkFieldIds& ids) {
  Event e = AppMessageEvent(p, ts_ns, "network.smb", "smb",
                            m.request ? "smb_negotiate_request" : "smb_negotiate_response");
  e.Set(ids.smb_version, int64_t{m.version});
  if (m.request) {
    e.Set(ids.smb_dialects, StringList(m.dialects.begin(), m.dialects.end()));
  } else if (m.version == 1) {
    e.Set(ids.smb_dialect_index, int64_t{m.dialect_index});
  } else {
    e.Set(ids.smb_dialect, m.dialect);
  }
  return e;
}

}  // namespace vigil::network
