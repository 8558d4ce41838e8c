// The stateless part of the sshd parser: one scanner per family of sshd messages, each
// filling an AuthRecord from the message alone. SshdParser (sshd_parser.h) picks the
// scanner and adds what depends on earlier lines of the same connection.
#pragma once

#include <string_view>

#include "auth_record.h"
#include "sshd_scan.h"

namespace vigil::access {

// "keyboard-interactive/pam" → "keyboard-interactive".
std::string_view MethodName(std::string_view method);
// Sets user.name, or only invalid_user for Solaris' "<invalid username>".
void SetUser(std::string_view user, AuthRecord* r);
void SetFrom(const FromMatch& m, AuthRecord* r);
// Marks `r` a failure with `action` and `reason`.
void Failure(std::string_view action, std::string_view reason, AuthRecord* r);

// "Failed|Accepted|Postponed METHOD for [invalid user ]USER from HOST ...".
bool ParseAttempt(std::string_view msg, AuthRecord* r);
// What follows "Received disconnect from ": "HOST[ port N]:CODE: TEXT". Sets *closes.
bool ParseReceivedDisconnect(std::string_view rest, AuthRecord* r, bool* closes);
// What follows "Connection closed by ", "Connection reset by ", "Disconnected from ".
void ParseClose(std::string_view rest, bool preauth, AuthRecord* r);
// Protocol-level failures before authentication (scanners, floods, old clients).
bool ParseProtocolError(std::string_view msg, AuthRecord* r);
// Removes "kernel:[  970.699396]: " / "kernel: [  970.699397] " that some journald set-ups
// put before sshd's text.
void StripKernelStamp(std::string_view* msg);

}  // namespace vigil::access
