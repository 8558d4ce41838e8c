#include "flow_table.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "community_id.h"
#include "flow_state.h"

namespace vigil::network {
namespace {

enum Class : uint8_t { kTcpHandshake, kTcpEstablished, kTcpClosed, kUdp, kOther };

constexpr int64_t kCheckEveryNs = 1'000'000'000;

bool SameEndpoint(const RawIp& a, uint16_t pa, const RawIp& b, uint16_t pb) {
  return pa == pb && a.b == b.b;
}

}  // namespace

std::string_view EndReasonName(EndReason r) {
  switch (r) {
    case EndReason::kIdle: return "idle_timeout";
    case EndReason::kActive: return "active_timeout";
    case EndReason::kEvicted: return "evicted";
    case EndReason::kReused: return "reused";
    case EndReason::kEndOfCapture: return "end_of_capture";
  }
  return "unknown";
}

size_t FlowTable::KeyHash::operator()(const Key& k) const {
  return std::hash<std::string_view>{}(
      std::string_view(reinterpret_cast<const char*>(k.bytes.data()), k.bytes.size()));
}

FlowTable::FlowTable(FlowTableOptions options, FlowSink sink)
    : options_(options), sink_(std::move(sink)) {
  if (options_.max_flows == 0) options_.max_flows = 1;
  head_.fill(kNil);
  tail_.fill(kNil);
}

FlowTable::Key FlowTable::MakeKey(uint8_t version, uint8_t proto, const RawIp& a, uint16_t pa,
                                  const RawIp& b, uint16_t pb) {
  const int cmp = std::memcmp(a.b.data(), b.b.data(), a.b.size());
  const bool swap = cmp > 0 || (cmp == 0 && pa > pb);
  const RawIp& lo = swap ? b : a;
  const RawIp& hi = swap ? a : b;
  const uint16_t plo = swap ? pb : pa;
  const uint16_t phi = swap ? pa : pb;
  Key k;
  k.bytes[0] = version;
  k.bytes[1] = proto;
  std::memcpy(&k.bytes[2], lo.b.data(), 16);
  std::memcpy(&k.bytes[18], hi.b.data(), 16);
  k.bytes[34] = static_cast<uint8_t>(plo >> 8);
  k.bytes[35] = static_cast<uint8_t>(plo);
  k.bytes[36] = static_cast<uint8_t>(phi >> 8);
  k.bytes[37] = static_cast<uint8_t>(phi);
  return k;
}

FlowTable::Key FlowTable::KeyOf(const Flow& f) const {
  return MakeKey(f.ip_version, f.protocol, f.orig_ip, f.orig_port, f.resp_ip, f.resp_port);
}

uint8_t FlowTable::ClassOf(const Flow& f) const {
  if (f.protocol == kProtoUdp) return kUdp;
  if (f.protocol != kProtoTcp) return kOther;
  if (HistorySeen(f, true, 'R') || HistorySeen(f, false, 'R') ||
      (HistorySeen(f, true, 'F') && HistorySeen(f, false, 'F'))) {
    return kTcpClosed;
  }
  const bool answered = HistorySeen(f, false, 'H') || HistorySeen(f, false, 'S');
  if (HistorySeen(f, true, 'S') && !answered) return kTcpHandshake;
  return kTcpEstablished;
}

std::chrono::nanoseconds FlowTable::TimeoutOf(uint8_t cls) const {
  const FlowTimeouts& t = options_.timeouts;
  switch (cls) {
    case kTcpHandshake: return t.tcp_handshake;
    case kTcpEstablished: return t.tcp_established;
    case kTcpClosed: return t.tcp_closed;
    case kUdp: return t.udp;
    default: return t.other;
  }
}

void FlowTable::Link(uint32_t i) {
  Flow& f = slots_[i];
  const uint8_t c = f.timeout_class;
  f.prev = tail_[c];
  f.next = kNil;
  if (tail_[c] != kNil) {
    slots_[tail_[c]].next = i;
  } else {
    head_[c] = i;
  }
  tail_[c] = i;
}

void FlowTable::Unlink(uint32_t i) {
  Flow& f = slots_[i];
  const uint8_t c = f.timeout_class;
  if (f.prev != kNil) slots_[f.prev].next = f.next; else head_[c] = f.next;
  if (f.next != kNil) slots_[f.next].prev = f.prev; else tail_[c] = f.prev;
  f.prev = f.next = kNil;
}

void FlowTable::End(uint32_t i, EndReason reason) {
  Flow& f = slots_[i];
  if (sink_) sink_(f, reason);
  Unlink(i);
  index_.erase(KeyOf(f));
  f.live = false;
  free_.push_back(i);
  ++counters_.ended;
  if (reason == EndReason::kEvicted) ++counters_.evicted;
}

void FlowTable::ExpireIdle() {
  for (int c = 0; c < kClasses; ++c) {
    const int64_t timeout = TimeoutOf(static_cast<uint8_t>(c)).count();
    while (head_[c] != kNil && now_ns_ - slots_[head_[c]].touch_ns > timeout) {
      End(head_[c], EndReason::kIdle);
    }
  }
}

void FlowTable::EvictOne() {
  uint32_t victim = kNil;
  for (int c = 0; c < kClasses; ++c) {
    const uint32_t h = head_[c];
    if (h == kNil) continue;
    if (victim == kNil || slots_[h].touch_ns < slots_[victim].touch_ns ||
        (slots_[h].touch_ns == slots_[victim].touch_ns && slots_[h].seq < slots_[victim].seq)) {
      victim = h;
    }
  }
  if (victim != kNil) End(victim, EndReason::kEvicted);
}

uint32_t FlowTable::Create(const DecodedPacket& p, uint16_t sport, uint16_t dport, int64_t ts) {
  if (index_.size() >= options_.max_flows) EvictOne();
  uint32_t i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
  } else {
    i = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Flow& f = slots_[i];
  f = Flow{};
  f.ip_version = p.ip_version;
  f.protocol = p.protocol;
  f.has_ports = p.has_ports;
  f.flipped = p.protocol == kProtoTcp && (p.tcp_flags & (kTcpSyn | kTcpAck)) == (kTcpSyn | kTcpAck);
  f.orig_ip = f.flipped ? p.dst : p.src;
  f.resp_ip = f.flipped ? p.src : p.dst;
  f.orig_port = f.flipped ? dport : sport;
  f.resp_port = f.flipped ? sport : dport;
  f.first_ns = f.last_ns = ts;
  f.touch_ns = now_ns_;
  f.seq = seq_++;
  f.has_vlan = p.vlan_count > 0;
  f.vlan_id = p.vlan_id;
  f.tunnel_count = p.tunnel_count;
  for (int t = 0; t < p.tunnel_count; ++t) f.tunnels[t] = p.tunnels[t].kind;
  if (f.flipped) RecordFlip(f);
  f.live = true;
  f.timeout_class = ClassOf(f);
  Link(i);
  index_.emplace(KeyOf(f), i);
  ++counters_.created;
  return i;
}

void FlowTable::Update(Flow& f, bool from_orig, const DecodedPacket& p, uint32_t wire_bytes,
                       int64_t ts) {
  FlowDirection& d = from_orig ? f.orig : f.resp;
  ++d.packets;
  d.bytes += wire_bytes;
  d.tcp_flags |= p.tcp_flags;
  RecordHistory(f, from_orig, p.tcp_flags, p.payload_length > 0);
  if (ts > f.last_ns) f.last_ns = ts;
  f.touch_ns = now_ns_;
}

FlowTable::Ref FlowTable::Add(const DecodedPacket& p, int64_t ts_ns, uint32_t wire_bytes) {
  if (ts_ns > now_ns_) now_ns_ = ts_ns;
  if (now_ns_ >= next_check_ns_) {
    ExpireIdle();
    next_check_ns_ = now_ns_ + kCheckEveryNs;
  }
  const bool ported = p.protocol == kProtoTcp || p.protocol == kProtoUdp ||
                      p.protocol == kProtoIcmp || p.protocol == kProtoIcmpv6;
  if (p.later_fragment || (ported && !p.has_ports)) {
    ++counters_.unflowed_fragments;
    return {};
  }
  uint16_t sport = p.has_ports ? p.src_port : 0;
  uint16_t dport = p.has_ports ? p.dst_port : 0;
  if (p.protocol == kProtoIcmp || p.protocol == kProtoIcmpv6) {
    uint16_t answer = 0;
    if (IcmpCounterpartType(p.protocol, sport, answer)) dport = answer;
  }
  const Key key = MakeKey(p.ip_version, p.protocol, p.src, sport, p.dst, dport);
  uint32_t i;
  auto it = index_.find(key);
  if (it == index_.end()) {
    i = Create(p, sport, dport, ts_ns);
  } else {
    i = it->second;
    const Flow& f = slots_[i];
    const bool reopen = f.timeout_class == kTcpClosed &&
                        (p.tcp_flags & (kTcpSyn | kTcpAck)) == kTcpSyn;
    const int64_t active = options_.timeouts.active.count();
    if (now_ns_ - f.touch_ns > TimeoutOf(f.timeout_class).count()) {
      End(i, EndReason::kIdle);
      i = Create(p, sport, dport, ts_ns);
    } else if (reopen) {
      End(i, EndReason::kReused);
      i = Create(p, sport, dport, ts_ns);
    } else if (active > 0 && ts_ns - f.first_ns >= active) {
      End(i, EndReason::kActive);
      i = Create(p, sport, dport, ts_ns);
    }
  }
  Flow& f = slots_[i];
  const bool from_orig = SameEndpoint(p.src, sport, f.orig_ip, f.orig_port) &&
                         SameEndpoint(p.dst, dport, f.resp_ip, f.resp_port);
  Unlink(i);
  Update(f, from_orig, p, wire_bytes, ts_ns);
  f.timeout_class = ClassOf(f);
  Link(i);
  return {&f, from_orig};
}

void FlowTable::AdvanceTo(int64_t now_ns) {
  if (now_ns > now_ns_) now_ns_ = now_ns;
  ExpireIdle();
}

void FlowTable::Flush() {
  std::vector<uint32_t> live;
  live.reserve(index_.size());
  for (const auto& [key, i] : index_) live.push_back(i);
  std::sort(live.begin(), live.end(), [this](uint32_t a, uint32_t b) {
    const Flow& fa = slots_[a];
    const Flow& fb = slots_[b];
    return fa.first_ns != fb.first_ns ? fa.first_ns < fb.first_ns : fa.seq < fb.seq;
  });
  for (uint32_t i : live) End(i, EndReason::kEndOfCapture);
}

}  // namespace vigil::network
