#include "network_options.h"

#include <pcap/pcap.h>

namespace vigil::network {
namespace {

std::chrono::nanoseconds Timeout(ConfigSection& section, std::string_view key,
                                 std::chrono::nanoseconds def, bool zero_ok) {
  const auto v = section.DurationValue(key, def);
  if (v < std::chrono::nanoseconds(0) || (!zero_ok && v == std::chrono::nanoseconds(0)) ||
      v > std::chrono::hours(24 * 7)) {
    section.BadValue(key, zero_ok ? "must be between 0 and 7d" : "must be between 1s and 7d");
    return def;
  }
  return v;
}

// Compiles the filter against a dead Ethernet handle: catches syntax errors without
// opening anything.
void CheckBpf(ConfigSection& section, const std::string& bpf) {
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
  if (dead == nullptr) return;
  bpf_program program{};
  if (pcap_compile(dead, &program, bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    section.BadValue("bpf", std::string("invalid capture filter: ") + pcap_geterr(dead));
  } else {
    pcap_freecode(&program);
  }
  pcap_close(dead);
}

}  // namespace

NetworkOptions ReadNetworkOptions(ConfigSection& section, const CollectorEnv& env) {
  NetworkOptions o;
  o.bpf = section.String("bpf", "");
  if (!o.bpf.empty()) CheckBpf(section, o.bpf);
  o.flows.max_flows =
      static_cast<size_t>(section.Int("max_flows", 1'000'000, 1, int64_t{100'000'000}));
  FlowTimeouts& t = o.flows.timeouts;
  t.tcp_handshake = Timeout(section, "tcp_handshake_timeout", t.tcp_handshake, false);
  t.tcp_established = Timeout(section, "tcp_timeout", t.tcp_established, false);
  t.tcp_closed = Timeout(section, "tcp_closed_timeout", t.tcp_closed, false);
  t.udp = Timeout(section, "udp_timeout", t.udp, false);
  t.other = Timeout(section, "other_timeout", t.other, false);
  t.active = Timeout(section, "active_timeout", t.active, true);
  o.redaction = ReadUserRedaction(section, env);
  return o;
}

Result<NetworkFieldIds> GlobalNetworkFields() {
  static const Result<NetworkFieldIds> ids = DeclareNetworkFields(FieldRegistry::Global());
  return ids;
}

}  // namespace vigil::network
