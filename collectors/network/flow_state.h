// Per-packet TCP/UDP bookkeeping of a Flow: the Zeek-style history string (one letter per
// kind of packet, upper case from the originator, lower case from the responder, each
// recorded the first time it is seen in that direction) from which ConnState is derived.
#pragma once

#include <cstdint>

#include "flow_table.h"

namespace vigil::network {

// Records a packet of `flow` in its history. `tcp_flags` is ignored for non-TCP flows.
void RecordHistory(Flow& flow, bool from_orig, uint8_t tcp_flags, bool has_data);
// Records the '^' that marks a flow turned around at its first packet (a SYN-ACK).
void RecordFlip(Flow& flow);
// True when the letter was seen in that direction (letter in upper case: S H A D F R).
bool HistorySeen(const Flow& flow, bool from_orig, char letter);

}  // namespace vigil::network
