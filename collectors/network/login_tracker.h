// LoginTracker: the per-flow state of cleartext login dialogues (login_parser.h), kept in a
// bounded side table beside the FlowTable so that a Flow stays small.
//
// Only TCP flows with a data segment to or from a login port (21, 23, 25, 110, 143, 587; the
// server's port decides the protocol) get an entry, keyed by the flow's creation number
// (Flow::seq). Each entry looks at no more than max_segments data segments and max_bytes
// payload bytes of its flow (both directions together); when that budget is spent an
// attempt under way is reported with outcome unknown and the flow is not looked at again.
// An entry whose dialogue is decided (a login succeeded, TLS was asked for, budget spent)
// shrinks to a small marker until the flow ends, so that the flow's later segments cost one
// lookup. The table holds at most max_entries entries: a new flow then evicts the oldest one
// (its attempt under way, if any, is lost) and the eviction is counted. The owner calls End
// when the FlowTable ends a flow.
//
// Counters per protocol: attempts reported (parsed), lines that break the protocol
// (malformed) and logins not looked into (not_inspected: IMAP literals, SASL mechanisms
// without a cleartext password).
//
// Threading: owned and used by one collector thread (PacketProcessor).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <vector>

#include "login_parser.h"
#include "packet_decoder.h"

namespace vigil::network {

struct LoginTrackerOptions {
  size_t max_entries = 65536;
  uint32_t max_segments = 128;  // telnet clients send a segment per character
  uint32_t max_bytes = 16384;
};

struct LoginCounters {
  std::array<uint64_t, kLoginProtocols> parsed{};
  std::array<uint64_t, kLoginProtocols> malformed{};
  std::array<uint64_t, kLoginProtocols> not_inspected{};
  uint64_t evicted = 0;
};

class LoginTracker {
 public:
  explicit LoginTracker(LoginTrackerOptions options = {}) : options_(options) {}

  // Looks at one TCP segment with payload of the flow numbered `flow_seq`. Appends each
  // attempt this segment decided to `out`; sets `from_client` to whether the segment came
  // from the client (the side away from the login port).
  void Segment(uint64_t flow_seq, const DecodedPacket& packet, std::vector<LoginAttempt>& out,
               bool* from_client);

  // The flow numbered `flow_seq` ended: drops its entry. Returns true with the attempt under
  // way (outcome unknown) and the server's port when there was one.
  bool End(uint64_t flow_seq, LoginAttempt* pending, uint16_t* server_port);

  size_t size() const { return entries_.size(); }
  const LoginCounters& counters() const { return counters_; }

 private:
  struct Entry {
    explicit Entry(LoginProtocol p, uint16_t port) : dialogue(p), server_port(port) {}
    LoginDialogue dialogue;
    uint16_t server_port;
    bool done = false;
    uint32_t segments = 0;
    uint32_t bytes = 0;
  };
  void Finish(Entry& e);

  LoginTrackerOptions options_;
  std::map<uint64_t, Entry> entries_;  // by flow number: begin() is the oldest flow
  LoginCounters counters_;
};

}  // namespace vigil::network
