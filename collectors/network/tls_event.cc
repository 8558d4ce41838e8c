#include "tls_event.h"

#include "community_id.h"
#include "vigil/ecs_fields.h"

namespace vigil::network {

Event TlsEvent(const TlsHello& h, const DecodedPacket& p, int64_t ts_ns,
               const NetworkFieldIds& ids) {
  Event e;
  e.Set(ecs::kTimestamp, Timestamp(std::chrono::nanoseconds(ts_ns)));
  e.Set(ecs::kEventKind, std::string("event"));
  e.Set(ecs::kEventDataset, std::string("network.tls"));
  e.Set(ecs::kEventModule, std::string("network"));
  e.Set(ecs::kEventCategory, StringList{"network"});
  e.Set(ecs::kEventType, StringList{"protocol", "info"});
  e.Set(ecs::kEventAction, std::string(h.client ? "tls_client_hello" : "tls_server_hello"));

  const IpAddress src = ToIp(p.ip_version, p.src);
  const IpAddress dst = ToIp(p.ip_version, p.dst);
  e.Set(ecs::kSourceIp, src);
  e.Set(ecs::kDestinationIp, dst);
  e.Set(ecs::kSourcePort, int64_t{p.src_port});
  e.Set(ecs::kDestinationPort, int64_t{p.dst_port});
  e.Set(ecs::kNetworkTransport, TransportName(p.protocol));
  e.Set(ecs::kNetworkType, std::string(p.ip_version == 6 ? "ipv6" : "ipv4"));
  e.Set(ecs::kNetworkProtocol, std::string("tls"));
  e.Set(ecs::kRelatedIp, StringList{src.ToString(), dst.ToString()});
  CommunityIdInput cid;
  cid.ip_version = p.ip_version;
  cid.src = p.src;
  cid.dst = p.dst;
  cid.protocol = p.protocol;
  cid.has_ports = true;
  cid.src_port = p.src_port;
  cid.dst_port = p.dst_port;
  e.Set(ecs::kNetworkCommunityId, CommunityIdV1(cid));

  if (h.client) {
    if (h.has_sni) e.Set(ecs::kTlsClientServerName, h.server_name);
    e.Set(ecs::kTlsClientJa3, Md5Hex(Ja3String(h)));
    e.Set(ids.tls_ja4, Ja4(h));
    StringList ciphers;
    for (uint16_t c : h.ciphers) {
      if (!IsGrease(c)) ciphers.push_back(TlsCipherName(c));
    }
    e.Set(ids.tls_supported_ciphers, std::move(ciphers));
    StringList versions;
    if (h.supported_versions.empty()) {
      versions.push_back(TlsVersionNumber(h.legacy_version));
    } else {
      for (uint16_t v : h.supported_versions) {
        if (!IsGrease(v)) versions.push_back(TlsVersionNumber(v));
      }
    }
    e.Set(ids.tls_client_versions, std::move(versions));
    if (!h.alpn.empty()) e.Set(ids.tls_client_alpn, StringList(h.alpn.begin(), h.alpn.end()));
  } else {
    const uint16_t version = TlsEffectiveVersion(h);
    e.Set(ecs::kTlsVersion, TlsVersionNumber(version));
    e.Set(ecs::kTlsVersionProtocol, TlsVersionProtocol(version));
    if (!h.ciphers.empty()) e.Set(ecs::kTlsCipher, TlsCipherName(h.ciphers[0]));
    e.Set(ids.tls_ja3s, Md5Hex(Ja3sString(h)));
    if (!h.alpn.empty()) e.Set(ids.tls_next_protocol, h.alpn[0]);
  }
  return e;
}

}  // namespace vigil::network
