// AuthLineParser: picks the message parser for a program and runs it.
//
//   sshd, sshd-session, sshd-auth                → SshdParser   (access.sshd)
//   sudo                                         → ParseSudo    (access.sudo)
//   su                                           → ParseSu      (access.su)
//   useradd userdel usermod groupadd groupdel groupmod gpasswd passwd chpasswd chage
//   newusers                                     → ParseAccount (access.account)
//   login, systemd-logind                        → ParseLogin   (access.login)
//   any other program whose message is a PAM module's → ParsePam (access.pam)
//
// A known program whose message matches no known form still gives an event (action
// `other`, outcome unknown) so that nothing it logged is lost. A line of any other program
// gives none and is counted in ignored() (auth.log also holds cron, systemd, kernel...).
// One per collector thread: the sshd parser keeps per-connection state.
//
// Parse is ParseMessage (stateless, any thread) followed, for sshd's lines, by
// SshdParser::Apply in input order: AccessBuildPool runs the two apart.
#pragma once

#include <cstdint>
#include <string_view>

#include "auth_record.h"
#include "sshd_parser.h"
#include "syslog_header.h"

namespace vigil::access {

class AuthLineParser {
 public:
  // Fills `r` from the header's program and message; false when the program is not one
  // Vigil reads (nothing to emit).
  bool Parse(const SyslogHeader& header, AuthRecord* r);

  // What ParseMessage found.
  enum class Kind : uint8_t {
    kIgnored,  // a program Vigil does not read: no event (counted in ignored() by Parse)
    kEvent,    // `r` is complete
    kSshd,     // `r` needs SshdParser::Apply(header.pid, role, r), in input order
  };
  // The message parsers without sshd's connection state. Pure; any thread.
  static Kind ParseMessage(const SyslogHeader& header, AuthRecord* r, SshdParser::Role* role);

  uint64_t ignored() const { return ignored_; }
  const SshdParser& sshd() const { return sshd_; }

 private:
  SshdParser sshd_;
  uint64_t ignored_ = 0;
};

}  // namespace vigil::access
