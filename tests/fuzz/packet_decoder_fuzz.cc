// libFuzzer target for the packet decoders (collectors/network/packet_decoder.h).
//
// The first input byte picks the link type, the rest is the frame. Checked on every input:
//   - DecodePacket never reads outside the frame (ASan) and never crashes or hangs;
//   - the outcome and the malformed class agree, and the payload lies inside the frame;
//   - the flow table accepts whatever decodes as IP (its events are built on flush).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "flow_event.h"
#include "flow_table.h"
#include "network_options.h"
#include "packet_decoder.h"

namespace {

using vigil::network::DecodedPacket;
using vigil::network::DecodeOutcome;
using vigil::network::Malformed;

void Fail(const char* what) {
  std::fprintf(stderr, "packet_decoder_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto link = static_cast<vigil::network::LinkType>(data[0] % vigil::network::kLinkTypeCount);
  const uint8_t* frame = data + 1;
  const size_t len = size - 1;
  DecodedPacket p;
  const DecodeOutcome outcome = vigil::network::DecodePacket(link, frame, len, len, p);
  if ((outcome == DecodeOutcome::kMalformed) != (p.malformed != Malformed::kNone)) {
    Fail("outcome and malformed class disagree");
  }
  if (outcome != DecodeOutcome::kIp) return 0;
  if (p.payload != nullptr &&
      (p.payload < frame || p.payload + p.payload_captured > frame + len ||
       p.payload_captured > p.payload_length)) {
    Fail("payload outside the frame");
  }
  static const auto ids = vigil::network::GlobalNetworkFields();
  vigil::network::FlowTableOptions options;
  options.max_flows = 4;
  vigil::network::FlowTable table(options, [](const vigil::network::Flow& f, vigil::network::EndReason r) {
    (void)vigil::network::FlowEvent(f, r, *ids);
  });
  table.Add(p, 1, static_cast<uint32_t>(len));
  table.Add(p, 2, static_cast<uint32_t>(len));
  table.Flush();
  return 0;
}
