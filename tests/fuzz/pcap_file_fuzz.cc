// libFuzzer target for capture files: the input is written to a temporary file and read
// like `vigil replay --pcap` does (libpcap's pcap/pcapng reader, the packet decoders, the
// flow table and the flow events). libpcap's own parsing is fuzzed along the way, but the
// point is ours: any record libpcap hands over, of any link type and length, is safe.
#include <pcap/pcap.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "flow_event.h"
#include "network_options.h"
#include "packet_decoder.h"
#include "packet_processor.h"
#include "packet_processor.h"

namespace {

// One file per process, rewritten for every input.
const std::string& TempPath() {
  static const std::string path = [] {
    char name[] = "/tmp/vigil-pcap-fuzz-XXXXXX";
    const int fd = mkstemp(name);
    if (fd < 0) std::abort();
    close(fd);
    return std::string(name);
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = TempPath();
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);

  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  if (p == nullptr) return 0;
  static const auto ids = vigil::network::GlobalNetworkFields();
  vigil::network::FlowTableOptions options;
  options.max_flows = 64;
  size_t events = 0;
  vigil::network::FlowTable table(options, [&](const vigil::network::Flow& fl, vigil::network::EndReason r) {
    events += vigil::network::FlowEvent(fl, r, *ids).size() > 0 ? 1 : 0;
  });
  const auto link = vigil::network::LinkTypeFromDlt(pcap_datalink(p));
  vigil::network::DecodedPacket packet;
  pcap_pkthdr* h;
  const u_char* bytes;
  while (pcap_next_ex(p, &h, &bytes) == 1) {
    const auto outcome = vigil::network::DecodePacket(link, bytes, h->caplen, h->len, packet);
    if (outcome == vigil::network::DecodeOutcome::kIp) {
      table.Add(packet, vigil::network::FrameTimeNs(h->ts.tv_sec, h->ts.tv_usec, 1), h->len);
    }
  }
  pcap_close(p);
  table.Flush();
  if (events != table.counters().ended) std::abort();
  return 0;
}
