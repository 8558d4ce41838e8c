// The `network.flow` event: one per ended flow (see docs/network.md for every field).
//
// @timestamp is the flow's first packet; event.duration runs to its last packet.
// source.* is the originator, destination.* the responder. Besides ECS fields the event
// carries vigil.network.conn_state, .history, .tunnel, .end_reason and .vlan_id, which
// DeclareNetworkFields declares.
#pragma once

#include "flow_table.h"
#include "vigil/event.h"
#include "vigil/field.h"
#include "vigil/status.h"

namespace vigil::network {

struct NetworkFieldIds {
  FieldId conn_state;
  FieldId history;
  FieldId tunnel;
  FieldId end_reason;
  FieldId vlan_id;
  // network.dns (ECS names the core does not declare)
  FieldId dns_id;
  FieldId dns_type;
  FieldId dns_answers_data;
  FieldId dns_answers_type;
  FieldId dns_resolved_ip;
  // network.tls
  FieldId tls_supported_ciphers;  // tls.client.supported_ciphers (ECS)
  FieldId tls_ja3s;               // tls.server.ja3s (ECS)
  FieldId tls_next_protocol;      // tls.next_protocol (ECS)
  FieldId tls_ja4;                // vigil.tls.ja4
  FieldId tls_client_versions;    // vigil.tls.client.versions
  FieldId tls_client_alpn;        // vigil.tls.client.alpn
  // network.login
  FieldId auth_mechanism;  // vigil.network.auth_mechanism
  FieldId user_redacted;   // vigil.network.user_redacted (also network.http)
  // network.http
  FieldId http_version;           // http.version (ECS)
  FieldId url_path;               // url.path (ECS)
  FieldId http_auth_scheme;       // vigil.http.auth_scheme
  FieldId http_header_count;      // vigil.http.header_count
  // network.ssh
  FieldId ssh_version;            // vigil.ssh.version
  FieldId ssh_software;           // vigil.ssh.software
  FieldId ssh_comments;           // vigil.ssh.comments
  // network.smb
  FieldId smb_version;            // vigil.smb.version
  FieldId smb_dialects;           // vigil.smb.dialects
  FieldId smb_dialect;            // vigil.smb.dialect
  FieldId smb_dialect_index;      // vigil.smb.dialect_index
};

// Declares the vigil.network.* fields in `fields` (idempotent) and returns their ids.
Result<NetworkFieldIds> DeclareNetworkFields(FieldRegistry& fields);

// An address as decoded (4 bytes used for IPv4) as an IpAddress.
IpAddress ToIp(uint8_t version, const RawIp& raw);

// ECS network.transport for an IP protocol number ("tcp", "udp", "icmp", "ipv6-icmp",
// "gre", ...; otherwise the number as text).
std::string TransportName(uint8_t protocol);

// Builds the event of an ended flow. `ids` must come from the global registry, whose ids
// Event::Set checks.
Event FlowEvent(const Flow& flow, EndReason reason, const NetworkFieldIds& ids);

}  // namespace vigil::network
