#include "dns_event.h"

#include "community_id.h"
#include "vigil/ecs_fields.h"

namespace vigil::network {
Event DnsEvent(const DnsMessage& msg, const DecodedPacket& p, int64_t ts_ns,
               const NetworkFieldIds& ids) {
  Event e;
  e.Set(ecs::kTimestamp, Timestamp(std::chrono::nanoseconds(ts_ns)));
  e.Set(ecs::kEventKind, std::string("event"));
  e.Set(ecs::kEventDataset, std::string("network.dns"));
  e.Set(ecs::kEventModule, std::string("network"));
  e.Set(ecs::kEventCategory, StringList{"network"});
  e.Set(ecs::kEventType, StringList{"protocol", "info"});
  e.Set(ecs::kEventAction, std::string(msg.response ? "dns_answer" : "dns_query"));

  const IpAddress src = ToIp(p.ip_version, p.src);
  const IpAddress dst = ToIp(p.ip_version, p.dst);
  e.Set(ecs::kSourceIp, src);
  e.Set(ecs::kDestinationIp, dst);
  e.Set(ecs::kSourcePort, int64_t{p.src_port});
  e.Set(ecs::kDestinationPort, int64_t{p.dst_port});
  e.Set(ecs::kNetworkTransport, TransportName(p.protocol));
  e.Set(ecs::kNetworkType, std::string(p.ip_version == 6 ? "ipv6" : "ipv4"));
  e.Set(ecs::kNetworkProtocol, std::string("dns"));
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

  e.Set(ids.dns_id, int64_t{msg.id});
  e.Set(ids.dns_type, std::string(msg.response ? "answer" : "query"));
  if (msg.has_question) {
    e.Set(ecs::kDnsQuestionName, msg.question_name);
    e.Set(ecs::kDnsQuestionType, DnsTypeName(msg.question_type));
  }
  if (msg.response) {
    e.Set(ecs::kDnsResponseCode, DnsRcodeName(msg.rcode));
    StringList data, types, resolved;
    for (const DnsAnswer& a : msg.answers) {
      data.push_back(a.data);
      types.push_back(DnsTypeName(a.type));
      if (a.type == 1 || a.type == 28) resolved.push_back(a.data);
    }
    if (!data.empty()) {
      e.Set(ids.dns_answers_data, std::move(data));
      e.Set(ids.dns_answers_type, std::move(types));
    }
    if (!resolved.empty()) e.Set(ids.dns_resolved_ip, std::move(resolved));
  }
  return e;
}

}  // namespace vigil::network
