// Config keys shared by the `pcap` and `capture` collectors, and the field ids they use.
//
//   bpf                    optional capture filter (tcpdump syntax); checked at load time
//   max_flows              flows tracked at once (default 1000000); beyond it the least
//                          recently seen flow is evicted (and counted)
//   tcp_handshake_timeout  60s   a SYN without answer
//   tcp_timeout            5m    an established TCP connection
//   tcp_closed_timeout     5s    after both FINs or a RST
//   udp_timeout            60s
//   other_timeout          60s   ICMP and other protocols
//   active_timeout         30m   a flow longer than this is reported and starts afresh
//                                (0 turns this off)
//   redact_unknown_users   suspect | all | none: user names of cleartext logins that did not
//                          succeed and of HTTP Basic requests (user_redaction.h)
#pragma once

#include <string>

#include "flow_event.h"
#include "flow_table.h"
#include "user_redaction.h"
#include "vigil/collector.h"
#include "vigil/config_section.h"

namespace vigil::network {

struct NetworkOptions {
  std::string bpf;
  FlowTableOptions flows;
  UserRedaction redaction = UserRedaction::Default();
};

// Reads the shared keys; bad values become diagnostics in `section`.
NetworkOptions ReadNetworkOptions(ConfigSection& section, const CollectorEnv& env);

// The ids of the vigil.network.* fields in the global registry (declared on first use).
Result<NetworkFieldIds> GlobalNetworkFields();

}  // namespace vigil::network
