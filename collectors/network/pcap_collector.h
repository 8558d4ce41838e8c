// The `pcap` collector: flows from a capture file (pcap or pcapng), for `vigil replay
// --pcap F` and for configs that point at a recorded file.
//
// Config keys: `path` (required) and the shared keys of network_options.h (bpf,
// max_flows, timeouts). The file is read to its end, every flow still open is reported
// (end_reason end_of_capture) and Run returns. Timestamps are read at nanosecond
// precision; flow expiry follows packet time only, so the same file gives the same events.
// A file that ends in the middle of a record is read up to there and the damage is
// reported as a skip, not as a failure.
#pragma once

#include "vigil/collector.h"

namespace vigil::network {

class PcapCollectorFactory : public CollectorFactory {
 public:
  std::string_view name() const override { return "pcap"; }
  std::string_view description() const override {
    return "network flows from a pcap or pcapng capture file";
  }
  Status DeclareFields(FieldRegistry& fields) const override;
  Result<std::unique_ptr<Collector>> Create(ConfigSection& section,
                                            const CollectorEnv& env) const override;
  // Capture files written by root (tcpdump -w) are often 0600 or 0640.
  std::vector<Capability> capabilities() const override { return {Capability::kDacReadSearch}; }
};

}  // namespace vigil::network
