// SshdParser: the messages of sshd and sshd-session (OpenSSH 3.x to 9.x, plus the Solaris
// and macOS variants fail2ban's corpus holds), with connection state per sshd pid.
//
// sshd names the client on some lines only ("Connection from H port N", "Failed password
// for U from H ...") and not on others ("Disconnecting: Too many authentication failures",
// "kex_exchange_identification: ..."). The parser remembers, per pid, the last source it
// saw and attaches it to later lines that lack one. A failure seen while the source was
// still unknown is held as pending; the next line of that connection that names the source
// and ends it (Connection closed/reset, Disconnected, Received disconnect) is reported as a
// failure with reason `preauth_disconnect`, so the attempt is counted once, with its source.
// A connection whose failures were already reported with a source does not report its
// close as another failure. A success (Accepted ...) carries the number of failures the
// same connection had before it (vigil.access.prior_failures), so that a success after
// failures is visible on the success itself.
//
// Memory is bounded: at most kMaxConnections pids are remembered; beyond that the table is
// cleared and the clearing counted (evictions()). One parser per collector thread.
//
// Parse is two steps, which AccessBuildPool runs apart: ParseMessage reads the message
// alone (stateless, any thread) and says how it bears on its connection (Role); Apply then
// runs the per-pid state, strictly in input order, on one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth_record.h"

namespace vigil::access {

class SshdParser {
 public:
  static constexpr size_t kMaxConnections = 16384;

  // Fills `r` from one sshd message (the part after `sshd[pid]: `). Never fails: a message
  // it does not know becomes action `other` with the connection's source attached.
  void Parse(int64_t pid, std::string_view message, AuthRecord* r) {
    Apply(pid, ParseMessage(message, r), r);
  }

  // How a message bears on its connection's state.
  enum class Role : uint8_t {
    kPlain,
    kOpen,      // "Connection from": a new connection starts
    kDetail,    // repeats an attempt reported elsewhere; pending when the source is unknown
    kMaxTries,  // "too many authentication failures": a failure once per connection
    kClose,     // ends the connection
  };
  // The first step: `r` filled from the message alone. Pure; any thread.
  static Role ParseMessage(std::string_view message, AuthRecord* r);
  // The second: the connection state of `pid` applied to `r` (the source and port learnt
  // earlier, prior_failures, a pending failure reported at the close, max-tries once) and
  // updated from it. Lines must come in input order. `r->source` may be left pointing at
  // the parser's copy of the connection's source, valid until the next call.
  void Apply(int64_t pid, Role role, AuthRecord* r);

  uint64_t evictions() const { return evictions_; }
  size_t connections() const { return conns_.size(); }

 private:
  struct Connection {
    std::string source;
    int64_t port = -1;
    bool pending_failure = false;   // a failure without a known source
    int64_t failures = 0;           // sshd's failure events of this connection so far
    int64_t pam_failures = 0;       // PAM's (the same attempts, when sshd logs them too)
    bool max_tries_reported = false;
    bool succeeded = false;
    bool closed = false;
  };

  Connection* Find(int64_t pid);
  static Role Classify(std::string_view msg, bool preauth, AuthRecord* r);
  static void ApplyState(Connection& c, Role role, AuthRecord* r);

  std::unordered_map<int64_t, Connection> conns_;
  int64_t closed_pid_ = -1;  // forgotten before the next message
  uint64_t evictions_ = 0;
};

}  // namespace vigil::access
