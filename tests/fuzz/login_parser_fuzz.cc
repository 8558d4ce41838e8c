// libFuzzer target for the cleartext login dialogues (collectors/network/login_parser.h) and
// their side table (login_tracker.h).
//
// Input: byte 0 picks the protocol (mod 5); then segments, each a header byte (bit 7: sent
// by the client; bits 0..1: which of four flows it belongs to) and a length byte, then that
// many bytes (cut at the input's end). Each segment is copied to an exact-size buffer so that
// ASan sees any read past it, and fed to one LoginDialogue and to a LoginTracker with small
// caps (two entries, a few segments per flow) so that eviction and the budget are reached.
// Checked: no crash or hang; every user name reported is non-empty, at most kMaxLoginUser
// bytes, printable ASCII; the tracker never holds more than its cap.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "login_parser.h"
#include "login_tracker.h"

namespace {

namespace n = vigil::network;

void Fail(const char* what) {
  std::fprintf(stderr, "login_parser_fuzz: %s\n", what);
  std::abort();
}

void Check(const std::vector<n::LoginAttempt>& attempts) {
  for (const n::LoginAttempt& a : attempts) {
    if (a.user.empty() || a.user.size() > n::kMaxLoginUser) Fail("user size");
    for (char c : a.user) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
        Fail("user byte");
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint16_t ports[n::kLoginProtocols] = {21, 23, 110, 143, 587};
  const size_t proto = data[0] % n::kLoginProtocols;
  n::LoginDialogue dialogue(static_cast<n::LoginProtocol>(proto));
  n::LoginTrackerOptions options;
  options.max_entries = 2;
  options.max_segments = 6;
  options.max_bytes = 512;
  n::LoginTracker tracker(options);
  std::vector<n::LoginAttempt> attempts;
  size_t i = 1;
  while (i + 2 <= size) {
    const uint8_t header = data[i];
    size_t len = data[i + 1];
    i += 2;
    if (len > size - i) len = size - i;
    std::vector<uint8_t> segment(data + i, data + i + len);
    i += len;
    const bool client = (header & 0x80) != 0;
    n::LoginFeedCounts counts;
    attempts.clear();
    dialogue.Feed(client, segment.data(), segment.size(), attempts, counts);
    Check(attempts);

    n::DecodedPacket p;
    p.outcome = n::DecodeOutcome::kIp;
    p.ip_version = 4;
    p.protocol = n::kProtoTcp;
    p.has_ports = true;
    p.src_port = client ? 40000 : ports[proto];
    p.dst_port = client ? ports[proto] : 40000;
    p.payload = segment.data();
    p.payload_captured = static_cast<uint32_t>(segment.size());
    p.payload_length = p.payload_captured;
    attempts.clear();
    bool from_client = false;
    tracker.Segment(header & 3, p, attempts, &from_client);
    Check(attempts);
    if (tracker.size() > options.max_entries) Fail("tracker over its cap");
    if ((header & 0x40) != 0) {  // the flow ends
      n::LoginAttempt a;
      uint16_t port = 0;
      if (tracker.End(header & 3, &a, &port)) Check({a});
    }
  }
  n::LoginAttempt a;
  if (dialogue.TakePending(&a)) Check({a});
  std::string authcid;
  if (n::PlainAuthcid(std::string_view(reinterpret_cast<const char*>(data), size), &authcid) &&
      authcid.size() > size) {
    Fail("authcid longer than its input");
  }
  return 0;
}
