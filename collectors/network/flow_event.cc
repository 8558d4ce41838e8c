#include "flow_event.h"

#include "community_id.h"
#include "vigil/ecs_fields.h"
#include "vigil/field_decl.h"

namespace vigil::network {
namespace {

int64_t Clamp(uint64_t v) { return v > INT64_MAX ? INT64_MAX : static_cast<int64_t>(v); }

Timestamp FromNs(int64_t ns) { return Timestamp(std::chrono::nanoseconds(ns)); }

}  // namespace

IpAddress ToIp(uint8_t version, const RawIp& raw) {
  if (version == 6) return IpAddress::FromV6(raw.b.data());
  return IpAddress::FromV4(uint32_t{raw.b[0]} << 24 | uint32_t{raw.b[1]} << 16 |
                           uint32_t{raw.b[2]} << 8 | uint32_t{raw.b[3]});
}

Result<NetworkFieldIds> DeclareNetworkFields(FieldRegistry& fields) {
  NetworkFieldIds ids{};
  const Status declared = DeclareEach(fields, {
      {&ids.conn_state, "vigil.network.conn_state", FieldType::kString,
       "Zeek-style connection state of a flow (S0, S1, SF, REJ, RSTO, RSTR, OTH, ...)."},
      {&ids.history, "vigil.network.history", FieldType::kString,
       "Zeek-style history letters (ShADadFf...; upper case from the originator)."},
      {&ids.tunnel, "vigil.network.tunnel", FieldType::kList,
       "Tunnels the flow was carried in, outer first (gre, erspan, vxlan, ipip)."},
      {&ids.end_reason, "vigil.network.end_reason", FieldType::kString,
       "Why the flow record was closed (idle_timeout, active_timeout, evicted, reused, "
       "end_of_capture)."},
      {&ids.vlan_id, "vigil.network.vlan_id", FieldType::kInt,
       "Outermost 802.1Q VLAN id of the flow's first packet."},
      {&ids.dns_id, "dns.id", FieldType::kInt, "DNS message id."},
      {&ids.dns_type, "dns.type", FieldType::kString, "DNS message type: query or answer."},
      {&ids.dns_answers_data, "dns.answers.data", FieldType::kList,
       "Data of the A, AAAA, CNAME, NS and PTR answers, in message order."},
      {&ids.dns_answers_type, "dns.answers.type", FieldType::kList,
       "Types of the answers in dns.answers.data, index for index."},
      {&ids.dns_resolved_ip, "dns.resolved_ip", FieldType::kList,
       "Addresses of the A and AAAA answers."},
      {&ids.tls_supported_ciphers, "tls.client.supported_ciphers", FieldType::kList,
       "Cipher suites offered in the ClientHello, in order (IANA names, else 0x hex; GREASE "
       "left out)."},
      {&ids.tls_ja3s, "tls.server.ja3s", FieldType::kString,
       "JA3S fingerprint (MD5) of the ServerHello."},
      {&ids.tls_next_protocol, "tls.next_protocol", FieldType::kString,
       "ALPN protocol the server selected, e.g. h2."},
      {&ids.tls_ja4, "vigil.tls.ja4", FieldType::kString,
       "FoxIO JA4 fingerprint of the ClientHello."},
      {&ids.tls_client_versions, "vigil.tls.client.versions", FieldType::kList,
       "TLS versions the client offers (supported_versions, else its hello version), e.g. 1.3."},
      {&ids.tls_client_alpn, "vigil.tls.client.alpn", FieldType::kList,
       "ALPN protocols the client offers, in order."},
      {&ids.auth_mechanism, "vigil.network.auth_mechanism", FieldType::kString,
       "How a cleartext login sent its credentials: password, apop, plain (SASL PLAIN) or "
       "login (SASL LOGIN)."},
      {&ids.user_redacted, "vigil.network.user_redacted", FieldType::kBool,
       "True when the user name of a cleartext login that did not succeed, or of an HTTP Basic "
       "request, may be a password typed as a user name and was replaced by a keyed placeholder "
       "`<redacted:...>` in user.name and related.user (redact_unknown_users)."},
      {&ids.http_version, "http.version", FieldType::kString,
       "HTTP version of the request or response, e.g. 1.1."},
      {&ids.url_path, "url.path", FieldType::kString,
       "Path of the request target, without query and fragment."},
      {&ids.http_auth_scheme, "vigil.http.auth_scheme", FieldType::kString,
       "Scheme of the request's Authorization header, lower case (basic, bearer, ...); never the "
       "credentials."},
      {&ids.http_header_count, "vigil.http.header_count", FieldType::kInt,
       "Header lines of the request seen in its first segment."},
      {&ids.ssh_version, "vigil.ssh.version", FieldType::kString,
       "SSH protocol version of an identification string: 2.0, 1.99, 1.5."},
      {&ids.ssh_software, "vigil.ssh.software", FieldType::kString,
       "Software version of an SSH identification string, e.g. OpenSSH_9.6p1."},
      {&ids.ssh_comments, "vigil.ssh.comments", FieldType::kString,
       "Comments after the software version of an SSH identification string."},
      {&ids.smb_version, "vigil.smb.version", FieldType::kInt,
       "SMB header of a NEGOTIATE message: 1 (SMB1) or 2 (SMB2/3)."},
      {&ids.smb_dialects, "vigil.smb.dialects", FieldType::kList,
       "Dialects a client offers in an SMB NEGOTIATE request."},
      {&ids.smb_dialect, "vigil.smb.dialect", FieldType::kString,
       "Dialect revision an SMB2/3 server chose (2.0.2 ... 3.1.1)."},
      {&ids.smb_dialect_index, "vigil.smb.dialect_index", FieldType::kInt,
       "Index of the dialect an SMB1 server chose in the client's list (-1: none)."},
  });
  if (!declared.ok()) return declared;
  return ids;
}

std::string TransportName(uint8_t protocol) {
  switch (protocol) {
    case kProtoTcp: return "tcp";
    case kProtoUdp: return "udp";
    case kProtoIcmp: return "icmp";
    case kProtoIcmpv6: return "ipv6-icmp";
    case kProtoGre: return "gre";
    case 50: return "esp";
    case kProtoAh: return "ah";
    case 2: return "igmp";
    case 89: return "ospf";
    case 103: return "pim";
    case 112: return "vrrp";
    case 132: return "sctp";
    default: return std::to_string(protocol);
  }
}

Event FlowEvent(const Flow& f, EndReason reason, const NetworkFieldIds& ids) {
  Event e;
  e.Set(ecs::kTimestamp, FromNs(f.first_ns));
  e.Set(ecs::kEventKind, std::string("event"));
  e.Set(ecs::kEventDataset, std::string("network.flow"));
  e.Set(ecs::kEventModule, std::string("network"));
  e.Set(ecs::kEventCategory, StringList{"network"});
  e.Set(ecs::kEventType, StringList{"connection", "end"});
  e.Set(ecs::kEventAction, std::string("flow_end"));
  e.Set(ecs::kEventDuration, Duration(f.last_ns - f.first_ns));

  const IpAddress src = ToIp(f.ip_version, f.orig_ip);
  const IpAddress dst = ToIp(f.ip_version, f.resp_ip);
  const bool ports = f.has_ports && f.protocol != kProtoIcmp && f.protocol != kProtoIcmpv6;
  e.Set(ecs::kSourceIp, src);
  e.Set(ecs::kDestinationIp, dst);
  if (ports) {
    e.Set(ecs::kSourcePort, int64_t{f.orig_port});
    e.Set(ecs::kDestinationPort, int64_t{f.resp_port});
  }
  e.Set(ecs::kSourceBytes, Clamp(f.orig.bytes));
  e.Set(ecs::kSourcePackets, Clamp(f.orig.packets));
  e.Set(ecs::kDestinationBytes, Clamp(f.resp.bytes));
  e.Set(ecs::kDestinationPackets, Clamp(f.resp.packets));
  e.Set(ecs::kNetworkBytes, Clamp(f.orig.bytes + f.resp.bytes));
  e.Set(ecs::kNetworkPackets, Clamp(f.orig.packets + f.resp.packets));
  e.Set(ecs::kNetworkTransport, TransportName(f.protocol));
  e.Set(ecs::kNetworkType, std::string(f.ip_version == 6 ? "ipv6" : "ipv4"));
  e.Set(ecs::kRelatedIp, StringList{src.ToString(), dst.ToString()});

  CommunityIdInput cid;
  cid.ip_version = f.ip_version;
  cid.src = f.orig_ip;
  cid.dst = f.resp_ip;
  cid.protocol = f.protocol;
  cid.has_ports = f.has_ports;
  cid.src_port = f.orig_port;
  // For ICMP the flow keeps the answer type; Community ID wants the code for one-way types.
  cid.dst_port = f.resp_port;
  e.Set(ecs::kNetworkCommunityId, CommunityIdV1(cid));

  e.Set(ids.conn_state, std::string(ConnState(f)));
  if (f.history_len > 0) e.Set(ids.history, std::string(f.History()));
  e.Set(ids.end_reason, std::string(EndReasonName(reason)));
  if (f.has_vlan) e.Set(ids.vlan_id, int64_t{f.vlan_id});
  if (f.tunnel_count > 0) {
    StringList kinds;
    for (int t = 0; t < f.tunnel_count; ++t) kinds.emplace_back(TunnelKindName(f.tunnels[t]));
    e.Set(ids.tunnel, std::move(kinds));
  }
  return e;
}

}  // namespace vigil::network
