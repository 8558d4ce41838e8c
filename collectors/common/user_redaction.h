// UserRedaction: keeps a password that someone typed into a user-name field out of events.
//
// People type their password at a login prompt that wanted a user name (or give it as the
// user of `ssh`). The service then logs it as an unknown user: sshd's "Invalid user
// <password> from ...", login's "FAILED LOGIN ... FOR '<password>'". Vigil cannot know
// whether such a name is a password, so it decides by shape:
//
//   - A name the log says exists (Accepted / Failed password for <account>) is an account and
//     is always kept.
//   - An unverified name (invalid user, a failed console login) is kept only when it could be
//     an account name: 1..32 bytes of [A-Za-z0-9._@-] (an optional trailing `$` for Samba
//     machine accounts), and not upper case, lower case and digits all at once ("Summer2024").
//     Anything else (spaces, punctuation, non-ASCII, long, mixed like a password policy asks)
//     is treated as a possible secret.
//
// A redacted name is replaced, in user.name, related.user, message and event.original, by
// `<redacted:` + 16 hex digits + `>`: the first 8 bytes of HMAC-SHA256 under a key that
// stays on the host, so rules still count distinct names (password spraying) and the same
// name gives the same placeholder, while nobody holding the events can test guesses against
// it without the key. The key is `<state_dir>/redaction.key` (32 random bytes, mode 0600,
// created on first use by the daemon; replay uses it when it is there); without a state
// directory, or when it cannot be written, a random key for the life of the process.
//
// Used by the access collectors (sshd invalid users, failed console logins) and the network
// collectors (user names of cleartext logins that did not succeed).
//
// Modes (the `redact_unknown_users` key of those collectors): `suspect` (the default,
// above), `all` (every unverified name is replaced, as login.defs' LOG_UNKFAIL_ENAB=no does
// for login), `none` (names as logged).
//
// Threading: immutable after construction; share freely.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "vigil/collector.h"
#include "vigil/config_section.h"

namespace vigil {

enum class RedactMode : uint8_t { kSuspect, kAll, kNone };

// Whether an unverified user name may be a secret (the shape test above).
bool NameMayBeSecret(std::string_view name);

class UserRedaction {
 public:
  using Key = std::array<uint8_t, 32>;
  UserRedaction(RedactMode mode, const Key& key) : mode_(mode), key_(key) {}

  // The key of `state_dir` (created there when missing and `create`), or the process key.
  // Replay does not create one: it only reads what a daemon left.
  static UserRedaction ForStateDir(RedactMode mode, const std::string& state_dir,
                                   bool create = true);
  // Suspect mode with the process key (tests, fuzzing).
  static const UserRedaction& Default();

  // Whether an unverified name is to be replaced.
  bool Redacts(std::string_view name) const;
  // `<redacted:0123456789abcdef>` for `name`.
  std::string Placeholder(std::string_view name) const;
  // What an event shows of an unverified name: its placeholder when Redacts(name), which
  // sets *redacted, else the name.
  std::string Shown(std::string_view name, bool* redacted) const;
  RedactMode mode() const { return mode_; }

 private:
  RedactMode mode_;
  Key key_;
};

// Reads the collector key `redact_unknown_users` (suspect | all | none, default suspect); the
// key file is created in the state directory only by a live collector (replay reads it).
UserRedaction ReadUserRedaction(ConfigSection& section, const CollectorEnv& env);

}  // namespace vigil
