// The common part of every application-protocol event (network.dns, network.tls, ...): the
// time, the event.* classification and the packet's endpoints, transport, IP version,
// related.ip and Community ID. Each protocol's event builder starts from this and adds its
// own fields.
#pragma once

#include <cstdint>
#include <string_view>

#include "packet_decoder.h"
#include "vigil/event.h"

namespace vigil::network {

// An event of `dataset` (e.g. "network.tls") with event.action `action` and
// network.protocol `protocol`, for a message carried by `packet` (source.* and
// destination.* are the packet's sender and receiver).
Event AppMessageEvent(const DecodedPacket& packet, int64_t ts_ns, std::string_view dataset,
                      std::string_view protocol, std::string_view action);

}  // namespace vigil::network
