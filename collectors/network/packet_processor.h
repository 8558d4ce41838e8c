// PacketProcessor: what both network collectors (pcap file, live capture) do with a frame:
// decode it, count it by outcome and malformed class, account it in the flow table, and
// emit a `network.flow` event for each flow that ends.
//
// Every frame is accounted for exactly once: packets == ip + not_ip + malformed.
// A malformed frame is also reported through CollectorContext::Skip as
// "<source>#<frame number>" with its class name as the reason.
//
// A UDP datagram or TCP segment to or from port 53 is parsed as DNS; each message gives a
// `network.dns` event (counted as parsed, malformed, or not inspected).
//
// The first kTlsSegments TCP data segments of each direction of a flow (on any port) are
// looked at for a TLS ClientHello or ServerHello at their start; each hello gives a
// `network.tls` event. Once a hello (or a broken or cut one) was seen in a direction, that
// direction is not looked at again, so a long flow costs one byte compare per packet.
//
// TCP flows on the login ports (21 ftp, 23 telnet, 110 pop3, 143 imap, 25/587 smtp) are
// followed by a LoginTracker, a bounded side table beside the flow table; each cleartext
// login attempt gives a `network.login` event (client as source.*), when the server's
// answer decides it or when the flow ends.
// The first kBannerSegments TCP data segments of each direction are looked at for an HTTP/1.x
// request or status line (`network.http`), on ports 445 and 139 for an SMB NEGOTIATE
// (`network.smb`); the first one also for an SSH banner (`network.ssh`). Once a direction
// carried an HTTP request or status line, each later segment of it is looked at for the
// next one (keep-alive connections), at the cost of a few byte compares per segment.
//
// Threading: owned and used by one collector thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "dns_parser.h"
#include "flow_event.h"
#include "flow_table.h"
#include "login_tracker.h"
#include "http_parser.h"
#include "packet_decoder.h"
#include "smb_parser.h"
#include "ssh_parser.h"
#include "tls_parser.h"
#include "user_redaction.h"
#include "vigil/collector.h"

namespace vigil::network {

struct PacketCounters {
  uint64_t packets = 0;
  uint64_t bytes = 0;  // wire bytes
  uint64_t ip = 0;
  uint64_t not_ip = 0;
  uint64_t malformed = 0;
  uint64_t fragments = 0;
  uint64_t tunneled = 0;
  std::array<uint64_t, static_cast<size_t>(Malformed::kCount)> by_class{};
  // Application metadata (port 53 over UDP and TCP).
  uint64_t dns_parsed = 0;
  uint64_t dns_malformed = 0;
  uint64_t dns_not_inspected = 0;  // TCP segments on port 53 without a whole message
  // TLS hellos at the start of a flow's first data segments.
  uint64_t tls_parsed = 0;
  uint64_t tls_malformed = 0;
  uint64_t tls_not_inspected = 0;  // a hello that continues past its segment or record
  // Cleartext logins: see LoginTracker::counters().
  // HTTP/1.x requests and status lines, SSH banners and SMB NEGOTIATEs at the start of a
  // flow's first data segments.
  uint64_t http_parsed = 0;
  uint64_t http_malformed = 0;
  uint64_t http_not_inspected = 0;  // a request line that continues past its segment
  uint64_t ssh_parsed = 0;
  uint64_t ssh_malformed = 0;
  uint64_t smb_parsed = 0;
  uint64_t smb_malformed = 0;
  uint64_t smb_not_inspected = 0;  // a dialect list that continues past its segment
};

// Data segments per direction of a TCP flow looked at for a TLS hello.
// Eight leaves room for a STARTTLS dialogue (FTP AUTH TLS, SMTP/IMAP STARTTLS) before the
// hello.
inline constexpr uint8_t kTlsSegments = 8;

// Data segments per direction of a TCP flow looked at for an HTTP request or status line
// (on any port) or an SMB NEGOTIATE (ports 445 and 139); an SSH banner is looked for in the
// first one only.
inline constexpr uint8_t kBannerSegments = 4;
// FlowDirection::banner_segments of a direction where an HTTP request or status line was
// seen: the start of each later data segment is looked at for the next one (keep-alive).
inline constexpr uint8_t kHttpDirection = 0xFF;

// A frame's capture time in nanoseconds since the epoch from its seconds and sub-second
// parts (`subsec` in units of `subsec_ns` nanoseconds: 1000 for microseconds). A capture
// file may hold any value there: seconds are clamped to [0, the end of the Timestamp range]
// (year 2223) and the fraction to under one second, so that no arithmetic on it (timeouts
// added) overflows.
int64_t FrameTimeNs(int64_t seconds, int64_t subsec, int64_t subsec_ns);

// Maps a libpcap DLT_* value to the link types we decode (kUnsupported otherwise).
LinkType LinkTypeFromDlt(int dlt);

class PacketProcessor {
 public:
  // `redaction` keeps passwords typed as user names out of network.login and network.http
  // events (user_redaction.h).
  PacketProcessor(LinkType link, const FlowTableOptions& options, CollectorContext& ctx,
                  std::string source, NetworkFieldIds ids,
                  UserRedaction redaction = UserRedaction::Default());
  PacketProcessor(const PacketProcessor&) = delete;  // the flow sink points back at us
  PacketProcessor& operator=(const PacketProcessor&) = delete;

  // Handles one frame. Returns false once the pipeline refuses events (replay after
  // shutdown): the caller stops reading.
  bool Frame(int64_t ts_ns, const uint8_t* data, uint32_t caplen, uint32_t wirelen);
  // Moves the flow clock on without traffic (live capture).
  void AdvanceTo(int64_t now_ns) { flows_.AdvanceTo(now_ns); }
  // Ends every flow (end of input or shutdown).
  void Flush() { flows_.Flush(); }

  const PacketCounters& counters() const { return counters_; }
  const FlowTable& flows() const { return flows_; }
  const LoginTracker& logins() const { return logins_; }
  // One line for the log: packets, outcomes, malformed classes, flows.
  std::string Summary() const;

 private:
  LinkType link_;
  CollectorContext& ctx_;
  std::string source_;
  NetworkFieldIds ids_;
  UserRedaction redaction_;
  bool refused_ = false;
  void InspectDns(int64_t ts_ns);
  void InspectTls(int64_t ts_ns, FlowTable::Ref flow);
  void InspectLogin(int64_t ts_ns, FlowTable::Ref flow);
  void EndLogin(const Flow& flow);
  void EmitOrRefuse(Event event);
  LoginTracker logins_;  // before flows_: the flow sink reaches it
  std::vector<LoginAttempt> attempts_;
  void InspectBanners(int64_t ts_ns, FlowTable::Ref flow);
  void InspectHttp(int64_t ts_ns, uint8_t& seen);
  void InspectSmb(int64_t ts_ns, uint8_t& seen);
  FlowTable flows_;
  DecodedPacket packet_;
  DnsMessage dns_;
  TlsHello tls_;
  HttpMessage http_;
  SshBanner ssh_;
  SmbNegotiate smb_;
  PacketCounters counters_;
};

}  // namespace vigil::network
