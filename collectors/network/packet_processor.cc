#include "packet_processor.h"

#include <pcap/dlt.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#include "dns_event.h"
#include "http_event.h"
#include "login_event.h"
#include "smb_event.h"
#include "ssh_event.h"
#include "tls_event.h"

namespace vigil::network {

int64_t FrameTimeNs(int64_t seconds, int64_t subsec, int64_t subsec_ns) {
  constexpr int64_t kNs = 1'000'000'000;
  // Year 2223: far beyond any real capture, and leaves room for timeouts added to it.
  constexpr int64_t kMaxSeconds = 8'000'000'000;
  seconds = std::clamp<int64_t>(seconds, 0, kMaxSeconds);
  int64_t fraction = 0;
  if (subsec > 0 && subsec_ns > 0) {
    fraction = subsec > (kNs - 1) / subsec_ns ? kNs - 1 : subsec * subsec_ns;
  }
  return seconds * kNs + fraction;
}

LinkType LinkTypeFromDlt(int dlt) {
  switch (dlt) {
    case DLT_EN10MB: return LinkType::kEthernet;
    case DLT_LINUX_SLL: return LinkType::kLinuxSll;
    case DLT_LINUX_SLL2: return LinkType::kLinuxSll2;
    case DLT_RAW:
    case 101:  // LINKTYPE_RAW, should a file carry it unmapped
      return LinkType::kRaw;
    case DLT_IPV4: return LinkType::kIpv4;
    case DLT_IPV6: return LinkType::kIpv6;
    case DLT_NULL: return LinkType::kNull;
    case DLT_LOOP: return LinkType::kLoop;
    case DLT_C_HDLC: return LinkType::kCiscoHdlc;
    case DLT_PPP:
    case DLT_PPP_SERIAL: return LinkType::kPpp;
    default: return LinkType::kUnsupported;
  }
}

PacketProcessor::PacketProcessor(LinkType link, const FlowTableOptions& options,
                                 CollectorContext& ctx, std::string source, NetworkFieldIds ids,
                                 UserRedaction redaction)
    : link_(link),
      ctx_(ctx),
      source_(std::move(source)),
      ids_(ids),
      redaction_(std::move(redaction)),
      flows_(options, [this](const Flow& flow, EndReason reason) {
        if (refused_) return;
        EndLogin(flow);
        if (refused_) return;
        if (!ctx_.Emit(FlowEvent(flow, reason, ids_)) && ctx_.mode() == RunMode::kReplay) {
          refused_ = true;
        }
      }) {}

bool PacketProcessor::Frame(int64_t ts_ns, const uint8_t* data, uint32_t caplen,
                            uint32_t wirelen) {
  ++counters_.packets;
  counters_.bytes += wirelen;
  switch (DecodePacket(link_, data, caplen, wirelen, packet_)) {
    case DecodeOutcome::kIp:
      ++counters_.ip;
      if (packet_.fragment) ++counters_.fragments;
      if (packet_.tunnel_count > 0) ++counters_.tunneled;
      {
        const FlowTable::Ref flow = flows_.Add(packet_, ts_ns, wirelen);
        InspectDns(ts_ns);
        InspectTls(ts_ns, flow);
        InspectLogin(ts_ns, flow);
        InspectBanners(ts_ns, flow);
      }
      break;
    case DecodeOutcome::kNotIp:
      ++counters_.not_ip;
      break;
    case DecodeOutcome::kMalformed:
      ++counters_.malformed;
      ++counters_.by_class[static_cast<size_t>(packet_.malformed)];
      ctx_.Skip(source_ + "#" + std::to_string(counters_.packets),
                MalformedName(packet_.malformed));
      break;
  }
  return !refused_;
}

void PacketProcessor::InspectDns(int64_t ts_ns) {
  const DecodedPacket& p = packet_;
  if (refused_ || !p.has_ports || p.later_fragment || p.payload_captured == 0) return;
  if (p.protocol != kProtoUdp && p.protocol != kProtoTcp) return;
  if (p.src_port != 53 && p.dst_port != 53) return;
  const DnsParse r = p.protocol == kProtoUdp
                         ? ParseDns(p.payload, p.payload_captured, dns_)
                         : ParseDnsTcp(p.payload, p.payload_captured, dns_);
  if (r == DnsParse::kMalformed) {
    ++counters_.dns_malformed;
    return;
  }
  if (r == DnsParse::kTruncated) {
    ++counters_.dns_not_inspected;
    return;
  }
  ++counters_.dns_parsed;
  if (!ctx_.Emit(DnsEvent(dns_, p, ts_ns, ids_)) && ctx_.mode() == RunMode::kReplay) {
    refused_ = true;
  }
}

void PacketProcessor::InspectTls(int64_t ts_ns, FlowTable::Ref flow) {
  const DecodedPacket& p = packet_;
  if (refused_ || flow.flow == nullptr || p.protocol != kProtoTcp || p.payload_captured == 0) {
    return;
  }
  // The budget: the first kTlsSegments data segments per direction, and none after a hello
  // (or a broken or cut one) was seen in that direction.
  uint8_t& seen = flow.flow->app_segments[flow.from_orig ? 0 : 1];
  if (seen >= kTlsSegments) return;
  ++seen;
  switch (ParseTlsHello(p.payload, p.payload_captured, tls_)) {
    case TlsParse::kNotTls:
      return;
    case TlsParse::kMalformed:
      seen = kTlsSegments;
      ++counters_.tls_malformed;
      return;
    case TlsParse::kTruncated:
      seen = kTlsSegments;
      ++counters_.tls_not_inspected;
      return;
    case TlsParse::kOk:
      break;
  }
  seen = kTlsSegments;
  ++counters_.tls_parsed;
  if (!ctx_.Emit(TlsEvent(tls_, p, ts_ns, ids_)) && ctx_.mode() == RunMode::kReplay) {
    refused_ = true;
  }
}

void PacketProcessor::EmitOrRefuse(Event event) {
  if (!ctx_.Emit(std::move(event)) && ctx_.mode() == RunMode::kReplay) refused_ = true;
}

void PacketProcessor::InspectLogin(int64_t ts_ns, FlowTable::Ref flow) {
  const DecodedPacket& p = packet_;
  if (refused_ || flow.flow == nullptr || p.protocol != kProtoTcp || p.payload_captured == 0) {
    return;
  }
  attempts_.clear();
  bool from_client = true;
  logins_.Segment(flow.flow->seq, p, attempts_, &from_client);
  for (const LoginAttempt& a : attempts_) {
    if (refused_) break;
    EmitOrRefuse(LoginEvent(a, ClientToServer(p, from_client), ts_ns, ids_, redaction_));
  }
}

void PacketProcessor::EndLogin(const Flow& flow) {
  LoginProtocol protocol;
  if (flow.protocol != kProtoTcp || (!LoginProtocolForPort(flow.orig_port, &protocol) &&
                                     !LoginProtocolForPort(flow.resp_port, &protocol))) {
    return;  // never had an entry
  }
  LoginAttempt a;
  uint16_t server_port = 0;
  if (!logins_.End(flow.seq, &a, &server_port)) return;
  EmitOrRefuse(LoginEvent(a, ClientToServer(flow, server_port), flow.last_ns, ids_, redaction_));
}

void PacketProcessor::InspectBanners(int64_t ts_ns, FlowTable::Ref flow) {
  const DecodedPacket& p = packet_;
  if (refused_ || flow.flow == nullptr || p.protocol != kProtoTcp || p.payload_captured == 0) {
    return;
  }
  // The budget: the first kBannerSegments data segments per direction; none after an SSH
  // banner, an SMB NEGOTIATE or a broken or cut message; all of them once an HTTP request
  // or status line was seen in the direction.
  uint8_t& seen = (flow.from_orig ? flow.flow->orig : flow.flow->resp).banner_segments;
  if (seen == kHttpDirection) {
    InspectHttp(ts_ns, seen);
    return;
  }
  if (seen >= kBannerSegments) return;
  const bool first = seen == 0;
  ++seen;
  if (first && p.payload_captured >= 4 && std::memcmp(p.payload, "SSH-", 4) == 0) {
    seen = kBannerSegments;
    if (ParseSshBanner(p.payload, p.payload_captured, ssh_) != SshParse::kOk) {
      ++counters_.ssh_malformed;
      return;
    }
    ++counters_.ssh_parsed;
    EmitOrRefuse(SshEvent(ssh_, flow.from_orig, p, ts_ns, ids_));
    return;
  }
  if (p.src_port == 445 || p.dst_port == 445 || p.src_port == 139 || p.dst_port == 139) {
    InspectSmb(ts_ns, seen);
    return;
  }
  InspectHttp(ts_ns, seen);
}

void PacketProcessor::InspectHttp(int64_t ts_ns, uint8_t& seen) {
  const DecodedPacket& p = packet_;
  switch (ParseHttp(p.payload, p.payload_captured, http_)) {
    case HttpParse::kNotHttp:
      return;
    case HttpParse::kMalformed:
      if (seen != kHttpDirection) seen = kBannerSegments;
      ++counters_.http_malformed;
      return;
    case HttpParse::kTruncated:
      if (seen != kHttpDirection) seen = kBannerSegments;
      ++counters_.http_not_inspected;
      return;
    case HttpParse::kOk:
      break;
  }
  // An HTTP direction: every later segment's start is looked at for the next request or
  // status line of the connection (keep-alive), a few byte compares each.
  seen = kHttpDirection;
  ++counters_.http_parsed;
  EmitOrRefuse(HttpEvent(http_, p, ts_ns, ids_, redaction_));
}

void PacketProcessor::InspectSmb(int64_t ts_ns, uint8_t& seen) {
  const DecodedPacket& p = packet_;
  switch (ParseSmbNegotiate(p.payload, p.payload_captured, smb_)) {
    case SmbParse::kNotSmb:
      return;
    case SmbParse::kMalformed:
      seen = kBannerSegments;
      ++counters_.smb_malformed;
      return;
    case SmbParse::kTruncated:
      seen = kBannerSegments;
      ++counters_.smb_not_inspected;
      return;
    case SmbParse::kOk:
      break;
  }
  seen = kBannerSegments;
  ++counters_.smb_parsed;
  EmitOrRefuse(SmbEvent(smb_, p, ts_ns, ids_));
}

std::string PacketProcessor::Summary() const {
  const PacketCounters& c = counters_;
  std::string s = source_ + ": " + std::to_string(c.packets) + " packets (" +
                  std::to_string(c.ip) + " ip, " + std::to_string(c.not_ip) + " not ip, " +
                  std::to_string(c.malformed) + " malformed";
  for (size_t i = 1; i < c.by_class.size(); ++i) {
    if (c.by_class[i] == 0) continue;
    s += ", " + std::string(MalformedName(static_cast<Malformed>(i))) + "=" +
         std::to_string(c.by_class[i]);
  }
  const FlowTableCounters& f = flows_.counters();
  s += "), " + std::to_string(f.created) + " flows, " + std::to_string(f.evicted) +
       " evicted, " + std::to_string(f.unflowed_fragments) + " later fragments, dns " +
       std::to_string(c.dns_parsed) + " parsed/" + std::to_string(c.dns_malformed) +
       " malformed/" + std::to_string(c.dns_not_inspected) + " not inspected, tls " +
       std::to_string(c.tls_parsed) + " parsed/" + std::to_string(c.tls_malformed) +
       " malformed/" + std::to_string(c.tls_not_inspected) + " not inspected";
  const LoginCounters& l = logins_.counters();
  uint64_t parsed = 0, malformed = 0, not_inspected = 0;
  for (size_t i = 0; i < kLoginProtocols; ++i) {
    parsed += l.parsed[i];
    malformed += l.malformed[i];
    not_inspected += l.not_inspected[i];
  }
  s += ", logins " + std::to_string(parsed) + " parsed/" + std::to_string(malformed) +
       " malformed/" + std::to_string(not_inspected) + " not inspected/" +
       std::to_string(l.evicted) + " evicted";
  s += ", http " + std::to_string(c.http_parsed) + " parsed/" +
       std::to_string(c.http_malformed) + " malformed/" + std::to_string(c.http_not_inspected) +
       " not inspected, ssh " + std::to_string(c.ssh_parsed) + " parsed/" +
       std::to_string(c.ssh_malformed) + " malformed, smb " + std::to_string(c.smb_parsed) +
       " parsed/" + std::to_string(c.smb_malformed) + " malformed/" +
       std::to_string(c.smb_not_inspected) + " not inspected";
  return s;
}

}  // namespace vigil::network
