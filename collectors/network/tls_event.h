// The `network.tls` event: one per TLS ClientHello or ServerHello found at the start of
// one of the first data segments of a TCP flow (see docs/network.md).
#pragma once

#include "flow_event.h"
#include "packet_decoder.h"
#include "tls_parser.h"
#include "vigil/event.h"

namespace vigil::network {

// Builds the event of one parsed hello carried by `packet` (source.* and destination.* are
// the packet's sender and receiver: the client for a ClientHello, the server for a
// ServerHello).
Event TlsEvent(const TlsHello& hello, const DecodedPacket& packet, int64_t ts_ns,
               const NetworkFieldIds& ids);

}  // namespace vigil::network
