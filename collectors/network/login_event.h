// The `network.login` event: one per cleartext login attempt (FTP, Telnet, POP3, IMAP,
// SMTP AUTH) that LoginTracker reports, when the server's answer decides it or when the
// flow ends first (outcome unknown). See docs/network.md.
#pragma once

#include "flow_event.h"
#include "flow_table.h"
#include "login_parser.h"
#include "packet_decoder.h"
#include "user_redaction.h"
#include "vigil/event.h"

namespace vigil::network {

// Builds the event of `attempt`. `client_to_server` carries the connection's endpoints
// with the client as sender (source.*) and the server as receiver (destination.*).
// The user name of an attempt that did not succeed is unverified: `redaction` may replace
// it (user_redaction.h).
Event LoginEvent(const LoginAttempt& attempt, const DecodedPacket& client_to_server, int64_t ts_ns,
                 const NetworkFieldIds& ids, const UserRedaction& redaction);

// The endpoints of `packet` turned so that the client sends (when `from_client` is false,
// source and destination are swapped).
DecodedPacket ClientToServer(const DecodedPacket& packet, bool from_client);

// The endpoints of an ended `flow` with the client as sender: the server is the side on
// `server_port` (the responder when both or neither are).
DecodedPacket ClientToServer(const Flow& flow, uint16_t server_port);

}  // namespace vigil::network
