#include "app_event.h"

#include <string>

#include "community_id.h"
#include "flow_event.h"
#include "vigil/ecs_fields.h"

namespace vigil::network {

Event AppMessageEvent(const DecodedPacket& p, int64_t ts_ns, std::string_view dataset,
                      std::string_view protocol, std::string_view action) {
  Event e;
  e.Set(ecs::kTimestamp, Timestamp(std::chrono::nanoseconds(ts_ns)));
  e.Set(ecs::kEventKind, std::string("event"));
  e.Set(ecs::kEventDataset, std::string(dataset));
  e.Set(ecs::kEventModule, std::string("network"));
  e.Set(ecs::kEventCategory, StringList{"network"});
  e.Set(ecs::kEventType, StringList{"protocol", "info"});
  e.Set(ecs::kEventAction, std::string(action));

  const IpAddress src = ToIp(p.ip_version, p.src);
  const IpAddress dst = ToIp(p.ip_version, p.dst);
  e.Set(ecs::kSourceIp, src);
  e.Set(ecs::kDestinationIp, dst);
  e.Set(ecs::kSourcePort, int64_t{p.src_port});
  e.Set(ecs::kDestinationPort, int64_t{p.dst_port});
  e.Set(ecs::kNetworkTransport, TransportName(p.protocol));
  e.Set(ecs::kNetworkType, std::string(p.ip_version == 6 ? "ipv6" : "ipv4"));
  e.Set(ecs::kNetworkProtocol, std::string(protocol));
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
  return e;
}

}  // namespace vigil::network
