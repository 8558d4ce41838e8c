// FlowTable: bidirectional flows from decoded packets, with Zeek-style TCP state and
// history, idle and active timeouts and a memory cap.
//
// A flow is keyed by its innermost IP 5-tuple in canonical order, so both directions of a
// connection meet in one entry (ICMP requests and their answers too: their "ports" are
// type and answer type, as for Community ID). The originator is the sender of the first
// packet, except that a flow first seen as a SYN-ACK is turned around (history starts
// with '^'). Later fragments carry no ports and are not attributed to flows.
//
// Time comes from packet timestamps only, so replay is deterministic. Captures whose
// timestamps step backwards are handled by keeping the table's clock at the latest time
// seen. Flows end when idle past their class's timeout (checked as the clock advances),
// when active longer than the active timeout (checked on their next packet; the flow then
// starts afresh), when a SYN reopens a closed TCP connection, when the table is full and
// a new flow needs room (the least recently seen flow is evicted and counted), or on
// Flush(). Each ended flow is handed to the FlowSink before its slot is reused.
//
// Memory: one Flow slot (160 bytes) plus one hash index entry per live flow; slots are
// recycled. No allocation per packet except when a new flow grows the containers.
// Not thread-safe: one collector thread owns a table.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "packet_decoder.h"

namespace vigil::network {

struct FlowTimeouts {
  std::chrono::nanoseconds tcp_handshake{std::chrono::seconds(60)};  // SYN without answer
  std::chrono::nanoseconds tcp_established{std::chrono::minutes(5)};
  std::chrono::nanoseconds tcp_closed{std::chrono::seconds(5)};  // both FINs, or a RST
  std::chrono::nanoseconds udp{std::chrono::seconds(60)};
  std::chrono::nanoseconds other{std::chrono::seconds(60)};  // ICMP and other protocols
  std::chrono::nanoseconds active{std::chrono::minutes(30)};  // 0: never split long flows
};

struct FlowTableOptions {
  FlowTimeouts timeouts;
  size_t max_flows = 1'000'000;
};

enum class EndReason : uint8_t { kIdle, kActive, kEvicted, kReused, kEndOfCapture };
std::string_view EndReasonName(EndReason r);  // idle_timeout, active_timeout, evicted, ...

struct FlowDirection {
  uint64_t packets = 0;
  uint64_t bytes = 0;   // frame bytes on the wire, as tshark and nDPI count them
  uint8_t tcp_flags = 0;  // every TCP flag seen in this direction
  // Data segments offered to the HTTP, SSH and SMB parsers (PacketProcessor), in what
  // would be padding.
  uint8_t banner_segments = 0;
};

struct Flow {
  uint8_t ip_version = 4;
  uint8_t protocol = 0;
  bool has_ports = false;
  bool flipped = false;  // the first packet seen was the responder's SYN-ACK
  uint16_t orig_port = 0, resp_port = 0;
  RawIp orig_ip, resp_ip;
  FlowDirection orig, resp;
  int64_t first_ns = 0;  // timestamp of the first packet
  int64_t last_ns = 0;   // latest packet timestamp
  int64_t touch_ns = 0;  // table clock at the last packet (orders expiry)
  uint64_t seq = 0;      // creation order
  uint16_t vlan_id = 0;
  bool has_vlan = false;
  uint8_t tunnel_count = 0;  // tunnels of the first packet, outer first
  std::array<TunnelKind, kMaxTunnelDepth> tunnels{};
  uint8_t history_len = 0;
  std::array<char, 15> history{};
  uint16_t history_seen = 0;  // letters recorded so far, per direction
  uint8_t timeout_class = 0;
  // Intrusive list of the flow's timeout class, oldest first (slot indices).
  uint32_t prev = 0, next = 0;
  bool live = false;
  // Data segments offered to the TLS parser per direction (originator, responder), kept
  // here so that a long flow costs nothing once its hellos are past (PacketProcessor).
  std::array<uint8_t, 2> app_segments{};

  std::string_view History() const { return {history.data(), history_len}; }
};

// Zeek's conn_state for a flow: S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH,
// SHR, OTH (see docs/network.md).
std::string_view ConnState(const Flow& flow);

using FlowSink = std::function<void(const Flow& flow, EndReason reason)>;

struct FlowTableCounters {
  uint64_t created = 0;
  uint64_t ended = 0;
  uint64_t evicted = 0;
  uint64_t unflowed_fragments = 0;  // later fragments: no ports, no flow
};

class FlowTable {
 public:
  FlowTable(FlowTableOptions options, FlowSink sink);

  // Accounts one decoded IP packet (outcome kIp) of `wire_bytes` at `ts_ns`. Returns the
  // packet's flow (valid until the next call; null for a later fragment) and whether the
  // packet came from its originator.
  struct Ref {
    Flow* flow = nullptr;
    bool from_orig = true;
  };
  Ref Add(const DecodedPacket& packet, int64_t ts_ns, uint32_t wire_bytes);
  // Moves the clock forward (live capture without traffic) and expires idle flows.
  void AdvanceTo(int64_t now_ns);
  // Ends every live flow (end of replay, shutdown), in order of their first packet.
  void Flush();

  size_t size() const { return index_.size(); }
  const FlowTableCounters& counters() const { return counters_; }

 private:
  struct Key {
    std::array<uint8_t, 40> bytes{};
    bool operator==(const Key& o) const { return bytes == o.bytes; }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  static constexpr int kClasses = 5;
  static constexpr uint32_t kNil = UINT32_MAX;

  static Key MakeKey(uint8_t version, uint8_t proto, const RawIp& a, uint16_t pa,
                     const RawIp& b, uint16_t pb);
  Key KeyOf(const Flow& f) const;
  uint32_t Create(const DecodedPacket& p, uint16_t sport, uint16_t dport, int64_t ts_ns);
  void Update(Flow& f, bool from_orig, const DecodedPacket& p, uint32_t wire_bytes, int64_t ts);
  uint8_t ClassOf(const Flow& f) const;
  std::chrono::nanoseconds TimeoutOf(uint8_t cls) const;
  void Link(uint32_t i);
  void Unlink(uint32_t i);
  void End(uint32_t i, EndReason reason);
  void ExpireIdle();
  void EvictOne();

  FlowTableOptions options_;
  FlowSink sink_;
  std::vector<Flow> slots_;
  std::vector<uint32_t> free_;
  std::unordered_map<Key, uint32_t, KeyHash> index_;
  std::array<uint32_t, kClasses> head_{}, tail_{};
  int64_t now_ns_ = INT64_MIN;
  int64_t next_check_ns_ = INT64_MIN;
  uint64_t seq_ = 0;
  FlowTableCounters counters_;
};

}  // namespace vigil::network
