// The `network.ssh` event: one per SSH identification string ("banner") at the start of
// the first data segment of a direction of a TCP flow (see docs/network.md).
#pragma once

#include "flow_event.h"
#include "packet_decoder.h"
#include "ssh_parser.h"
#include "vigil/event.h"

namespace vigil::network {

// `client`: the banner came from the flow's originator (event.action ssh_client_banner),
// else from its responder (ssh_server_banner).
Event SshEvent(const SshBanner& banner, bool client, const DecodedPacket& packet, int64_t ts_ns,
               const NetworkFieldIds& ids);

}  // namespace vigil::network
