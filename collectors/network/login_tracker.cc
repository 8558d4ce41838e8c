#include "login_tracker.h"

#include <utility>

namespace vigil::network {

void LoginTracker::Finish(Entry& e) {
  e.done = true;
  e.dialogue = LoginDialogue(e.dialogue.protocol());  // frees the user name and tag
}

void LoginTracker::Segment(uint64_t flow_seq, const DecodedPacket& p,
                           std::vector<LoginAttempt>& out, bool* from_client) {
  *from_client = true;
  if (p.protocol != kProtoTcp || !p.has_ports || p.payload_captured == 0) return;
  // The ports first: a flow on other ports costs no lookup.
  LoginProtocol protocol;
  uint16_t server_port = p.dst_port;
  if (!LoginProtocolForPort(p.dst_port, &protocol)) {
    if (!LoginProtocolForPort(p.src_port, &protocol)) return;
    server_port = p.src_port;
  }
  auto it = entries_.find(flow_seq);
  if (it == entries_.end()) {
    if (entries_.size() >= options_.max_entries) {
      entries_.erase(entries_.begin());
      ++counters_.evicted;
    }
    it = entries_.emplace(flow_seq, Entry(protocol, server_port)).first;
  }
  Entry& e = it->second;
  if (e.done) return;
  *from_client = !(p.src_port == e.server_port && p.dst_port != e.server_port);
  const size_t proto = static_cast<size_t>(e.dialogue.protocol());
  const size_t before = out.size();
  ++e.segments;
  const uint32_t room = options_.max_bytes - e.bytes;
  const uint32_t len = p.payload_captured < room ? p.payload_captured : room;
  e.bytes += len;
  LoginFeedCounts counts;
  e.dialogue.Feed(*from_client, p.payload, len, out, counts);
  counters_.malformed[proto] += counts.malformed;
  counters_.not_inspected[proto] += counts.not_inspected;
  if (!e.dialogue.done() &&
      (e.segments >= options_.max_segments || e.bytes >= options_.max_bytes)) {
    LoginAttempt a;
    if (e.dialogue.TakePending(&a)) out.push_back(std::move(a));
    Finish(e);
  } else if (e.dialogue.done()) {
    Finish(e);
  }
  counters_.parsed[proto] += out.size() - before;
}

bool LoginTracker::End(uint64_t flow_seq, LoginAttempt* pending, uint16_t* server_port) {
  auto it = entries_.find(flow_seq);
  if (it == entries_.end()) return false;
  const bool has = !it->second.done && it->second.dialogue.TakePending(pending);
  *server_port = it->second.server_port;
  if (has) ++counters_.parsed[static_cast<size_t>(pending->protocol)];
  entries_.erase(it);
  return has;
}

}  // namespace vigil::network
