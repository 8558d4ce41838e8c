// The `network.dns` event: one per DNS message (query or answer) seen on port 53 over UDP,
// or at the start of a TCP segment on port 53 (see docs/network.md).
#pragma once

#include "dns_parser.h"
#include "flow_event.h"
#include "packet_decoder.h"
#include "vigil/event.h"

namespace vigil::network {

// Builds the event of one parsed DNS message carried by `packet` (source.* and
// destination.* are the packet's sender and receiver).
Event DnsEvent(const DnsMessage& msg, const DecodedPacket& packet, int64_t ts_ns,
               const NetworkFieldIds& ids);

}  // namespace vigil::network
