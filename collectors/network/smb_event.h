// The `network.smb` event: one per SMB NEGOTIATE request or response in a TCP segment on
// port 445 or 139 (see docs/network.md).
#pragma once

#include "flow_event.h"
#include "packet_decoder.h"
#include "smb_parser.h"
#include "vigil/event.h"

namespace vigil::network {

Event SmbEvent(const SmbNegotiate& msg, const DecodedPacket& packet, int64_t ts_ns,
               const NetworkFieldIds& ids);

}  // namespace vigil::network
