// The `capture` collector: flows from a live network interface, through libpcap.
//
// Config keys (besides the shared ones of network_options.h):
//   interface    required; e.g. eth0, or "any" (Linux cooked capture)
//   snaplen      bytes kept of each packet (default 262144)
//   promiscuous  default true
//   buffer_size  kernel ring size in bytes (default 32 MiB)
//   timeout      how long the kernel may hold a block of packets (TPACKET_V3) before
//                handing it over (default 100ms); immediate mode stays off
//   batch        packets handled per pcap_dispatch call (default 512)
//
// Run() opens the interface (this needs CAP_NET_RAW), then loops: poll() on libpcap's
// selectable fd and ctx.stop_fd(), pcap_dispatch in batches, flows expired by packet
// time and, when no traffic comes, by the wall clock. Kernel counters from pcap_stats
// (32-bit, wrapping) are widened into 64-bit totals and logged on exit. On stop, every
// open flow is reported (end_reason end_of_capture).
#pragma once

#include "vigil/collector.h"

namespace vigil::network {

class CaptureCollectorFactory : public CollectorFactory {
 public:
  std::string_view name() const override { return "capture"; }
  std::string_view description() const override {
    return "network flows captured live from an interface (libpcap)";
  }
  Status DeclareFields(FieldRegistry& fields) const override;
  Result<std::unique_ptr<Collector>> Create(ConfigSection& section,
                                            const CollectorEnv& env) const override;
  // Packet sockets need CAP_NET_RAW; promiscuous mode and the ring buffer CAP_NET_ADMIN.
  std::vector<Capability> capabilities() const override {
    return {Capability::kNetRaw, Capability::kNetAdmin};
  }
};

// 64-bit totals of libpcap's wrapping 32-bit counters.
struct CaptureStats {
  uint64_t received = 0;
  uint64_t dropped = 0;     // no room in the kernel buffer
  uint64_t if_dropped = 0;  // dropped by the interface or driver
};

}  // namespace vigil::network
