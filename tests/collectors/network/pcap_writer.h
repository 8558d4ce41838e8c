// Writes hand-built frames to a pcap file (for tests; files live in a TempDir only).
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "packet_builder.h"

namespace vigil::network::testing {

struct TimedFrame {
  double seconds;
  Bytes frame;
};

inline bool WritePcap(const std::string& path, int dlt, const std::vector<TimedFrame>& frames) {
  pcap_t* dead = pcap_open_dead_with_tstamp_precision(dlt, 262144, PCAP_TSTAMP_PRECISION_NANO);
  if (dead == nullptr) return false;
  pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
  if (dumper == nullptr) {
    pcap_close(dead);
    return false;
  }
  for (const TimedFrame& f : frames) {
    pcap_pkthdr h{};
    h.ts.tv_sec = static_cast<time_t>(f.seconds);
    h.ts.tv_usec = static_cast<suseconds_t>((f.seconds - static_cast<double>(h.ts.tv_sec)) * 1e9 + 0.5);
    h.caplen = h.len = static_cast<bpf_u_int32>(f.frame.size());
    pcap_dump(reinterpret_cast<u_char*>(dumper), &h, f.frame.data());
  }
  pcap_dump_close(dumper);
  pcap_close(dead);
  return true;
}

}  // namespace vigil::network::testing
