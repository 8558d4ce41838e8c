#include "login_event.h"

#include <string>
#include <utility>

#include "app_event.h"
#include "vigil/ecs_fields.h"

namespace vigil::network {

Event LoginEvent(const LoginAttempt& a, const DecodedPacket& p, int64_t ts_ns,
                 const NetworkFieldIds& ids, const UserRedaction& redaction) {
  Event e =
      AppMessageEvent(p, ts_ns, "network.login", LoginProtocolName(a.protocol), "cleartext_login");
  e.Set(ecs::kEventCategory, StringList{"authentication", "network"});
  e.Set(ecs::kEventType, StringList{"start", "protocol"});
  e.Set(ecs::kEventOutcome, std::string(LoginOutcomeName(a.outcome)));
  bool redacted = false;
  const std::string user =
      a.outcome == LoginOutcome::kSuccess ? a.user : redaction.Shown(a.user, &redacted);
  e.Set(ecs::kUserName, user);
  e.Set(ecs::kRelatedUser, StringList{user});
  if (redacted) e.Set(ids.user_redacted, true);
  e.Set(ids.auth_mechanism, std::string(LoginMechanismName(a.mechanism)));
  return e;
}

DecodedPacket ClientToServer(const DecodedPacket& packet, bool from_client) {
  DecodedPacket p;
  p.outcome = DecodeOutcome::kIp;
  p.ip_version = packet.ip_version;
  p.protocol = packet.protocol;
  p.has_ports = true;
  p.src = from_client ? packet.src : packet.dst;
  p.dst = from_client ? packet.dst : packet.src;
  p.src_port = from_client ? packet.src_port : packet.dst_port;
  p.dst_port = from_client ? packet.dst_port : packet.src_port;
  return p;
}

DecodedPacket ClientToServer(const Flow& flow, uint16_t server_port) {
  const bool orig_is_server = flow.orig_port == server_port && flow.resp_port != server_port;
  DecodedPacket p;
  p.outcome = DecodeOutcome::kIp;
  p.ip_version = flow.ip_version;
  p.protocol = flow.protocol;
  p.has_ports = true;
  p.src = orig_is_server ? flow.resp_ip : flow.orig_ip;
  p.dst = orig_is_server ? flow.orig_ip : flow.resp_ip;
  p.src_port = orig_is_server ? flow.resp_port : flow.orig_port;
  p.dst_port = orig_is_server ? flow.orig_port : flow.resp_port;
  return p;
}

}  // namespace vigil::network
