// Flow lists from three sources, in one shape, for comparing Vigil with nDPI and tshark:
// conversations keyed by transport and the two endpoints in canonical order, with the
// packets sent each way. Several flows on one 5-tuple (timeouts, port reuse) are summed,
// because neither ndpiReader nor `tshark -z conv` splits them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vigil/event.h"

namespace vigil::network::testing {

struct Conversation {
  uint64_t a_to_b = 0;  // packets from the first endpoint of the key
  uint64_t b_to_a = 0;
};
// Key: "tcp 10.0.0.1/80 10.0.0.2/40000", endpoints sorted as strings.
using Conversations = std::map<std::string, Conversation>;

// Adds packets seen from `src` to `dst` ("ip:port" or "[ipv6]:port" or "ipv6:port").
void AddConversation(Conversations& c, const std::string& transport, const std::string& src,
                     const std::string& dst, uint64_t src_packets, uint64_t dst_packets);

// From network.flow events (TCP and UDP only).
Conversations FromEvents(const std::vector<Event>& events);
// From an nDPI 4.2 `ndpiReader` result file (the numbered flow lines; TCP and UDP only).
Conversations FromNdpiResult(const std::string& text);
// From `tshark -q -z conv,tcp -z conv,udp` output.
Conversations FromTsharkConv(const std::string& text);

struct Agreement {
  size_t reference = 0;      // conversations in the reference
  size_t same_tuple = 0;     // also found by Vigil
  size_t same_packets = 0;   // ... with the same packet count in each direction
  size_t extra = 0;          // found by Vigil only
  std::vector<std::string> differences;  // one line each, capped
};
Agreement Compare(const Conversations& vigil, const Conversations& reference);

}  // namespace vigil::network::testing
