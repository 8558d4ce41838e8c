// The `network.http` event: one per HTTP/1.x request (and response status line) found at
// the start of one of the first data segments of a TCP flow (see docs/network.md).
#pragma once

#include "flow_event.h"
#include "http_parser.h"
#include "packet_decoder.h"
#include "user_redaction.h"
#include "vigil/event.h"

namespace vigil::network {

// Builds the event of one parsed request or response carried by `packet` (source.* and
// destination.* are the packet's sender and receiver).
// A Basic user name is unverified (the request does not say whether it was accepted):
// `redaction` may replace it (user_redaction.h).
Event HttpEvent(const HttpMessage& msg, const DecodedPacket& packet, int64_t ts_ns,
                const NetworkFieldIds& ids, const UserRedaction& redaction);

}  // namespace vigil::network
