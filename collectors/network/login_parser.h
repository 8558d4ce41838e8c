// Cleartext login dialogues (FTP, Telnet, POP3, IMAP, SMTP AUTH) for the network collector.
//
// A LoginDialogue follows one TCP connection's client and server segments, in capture
// order, and reports each login attempt it sees: the protocol, the user name, the
// mechanism (password, apop, plain, login) and, when the server's answer was seen, the
// outcome. The server's port decides the protocol (LoginProtocolForPort).
//
// There is no reassembly. The line protocols are read a segment at a time: each segment is
// cut into lines at LF (a CR before it is dropped) and a last piece without its LF is taken
// as a whole line, which is how clients send commands. Telnet is read a byte at a time
// (clients often send one character per segment): IAC sequences are stripped with a state
// that survives segment ends, the user name is collected after a "login:" or "username:"
// prompt up to CR/LF (at most kMaxLoginUser bytes), the bytes after a "Password:" prompt are
// dropped, and the server's next lines decide the outcome when they say so cheaply
// ("incorrect", "failed", "denied", a new login prompt; "last login", a shell prompt).
//
// Passwords: a password line is recognised and skipped, never copied. SASL PLAIN responses
// are base64-decoded into a local buffer that is wiped before the function returns; only
// the authentication identity is kept. AUTH LOGIN's second response (the password) is not
// even decoded. Nothing a LoginDialogue holds is a secret.
//
// The input is hostile: lines longer than kMaxLoginLine bytes and user names longer than
// kMaxLoginUser are malformed (no attempt); bytes of a user name outside 0x20..0x7E become
// '?'; the IMAP tag kept is at most kMaxImapTag bytes. Memory per dialogue is bounded.
//
// Threading: a dialogue is used by one thread (the collector's).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::network {

inline constexpr size_t kMaxLoginUser = 128;
inline constexpr size_t kMaxLoginLine = 2048;
inline constexpr size_t kMaxImapTag = 32;
inline constexpr size_t kMaxTelnetLine = 128;  // server line kept to spot prompts and answers

enum class LoginProtocol : uint8_t { kFtp, kTelnet, kPop3, kImap, kSmtp };
inline constexpr size_t kLoginProtocols = 5;
// "ftp", "telnet", "pop3", "imap", "smtp" (network.protocol)
std::string_view LoginProtocolName(LoginProtocol p);
// The protocol a server port carries: 21 ftp, 23 telnet, 110 pop3, 143 imap, 25 and 587
// smtp. False for any other port.
bool LoginProtocolForPort(uint16_t port, LoginProtocol* out);

enum class LoginMechanism : uint8_t { kPassword, kApop, kPlain, kLogin };
// "password", "apop", "plain", "login" (vigil.network.auth_mechanism)
std::string_view LoginMechanismName(LoginMechanism m);

enum class LoginOutcome : uint8_t { kUnknown, kSuccess, kFailure };
// "unknown", "success", "failure" (event.outcome)
std::string_view LoginOutcomeName(LoginOutcome o);

struct LoginAttempt {
  LoginProtocol protocol = LoginProtocol::kFtp;
  LoginMechanism mechanism = LoginMechanism::kPassword;
  LoginOutcome outcome = LoginOutcome::kUnknown;
  std::string user;
};

// What one segment gave besides attempts: lines that break the protocol (a LOGIN without
// its password, base64 that does not decode, an over-long line or user name) and logins
// that were not looked into (an IMAP literal, a SASL mechanism other than PLAIN and LOGIN).
struct LoginFeedCounts {
  uint32_t malformed = 0;
  uint32_t not_inspected = 0;
};

// Decodes standard base64 (RFC 4648, padding optional, no whitespace) into `out` of
// `capacity` bytes. Returns the decoded length, or -1 when the text is not base64 or does not
// fit.
int DecodeBase64(std::string_view text, uint8_t* out, size_t capacity);

// The authentication identity (authcid) of a SASL PLAIN response in base64
// ("authzid\0authcid\0passwd", RFC 4616). The decoded bytes are wiped before returning.
// False when the text is not base64 or not three NUL-separated parts.
bool PlainAuthcid(std::string_view base64, std::string* authcid);

class LoginDialogue {
 public:
  explicit LoginDialogue(LoginProtocol protocol) : protocol_(protocol) {}

  // Looks at one segment's payload, sent by the client or by the server. Appends each
  // attempt whose outcome this segment decided to `out`.
  void Feed(bool from_client, const uint8_t* data, size_t len, std::vector<LoginAttempt>& out,
            LoginFeedCounts& counts);

  // The attempt under way (a user name was seen, no answer yet), with outcome unknown; the
  // dialogue forgets it. False when there is none.
  bool TakePending(LoginAttempt* out);

  // Nothing more to look at: TLS was asked for (AUTH TLS, STLS, STARTTLS) or a login
  // succeeded.
  bool done() const { return state_ == State::kDone; }
  LoginProtocol protocol() const { return protocol_; }

 private:
  enum class State : uint8_t {
    kIdle,
    kUserSent,       // FTP/POP3 USER seen; PASS or a refusal next
    kCredsSent,      // the credentials were sent; the server's answer next
    kSaslPlain,      // AUTH PLAIN without an initial response: the base64 line next
    kSaslLoginUser,  // AUTH LOGIN: the base64 user name next
    kSaslLoginPass,  // AUTH LOGIN: the password line next (skipped)
    kTelnetUser,     // after a login prompt: collecting the user name
    kTelnetAfterUser,
    kTelnetPassword,  // after the password prompt: dropping the client's bytes
    kTelnetAnswer,    // the password was sent; the server's next lines
    kDone,
  };

  void ClientLine(std::string_view line, std::vector<LoginAttempt>& out, LoginFeedCounts& c);
  void ServerLine(std::string_view line, std::vector<LoginAttempt>& out);
  void FtpClient(std::string_view cmd, std::string_view arg, LoginFeedCounts& c);
  void Pop3Client(std::string_view cmd, std::string_view arg, LoginFeedCounts& c);
  void ImapClient(std::string_view line, LoginFeedCounts& c);
  void SmtpClient(std::string_view cmd, std::string_view arg, LoginFeedCounts& c);
  void SaslStart(std::string_view mech_and_initial, LoginFeedCounts& c);
  void SaslClientLine(std::string_view line, LoginFeedCounts& c);
  bool SetUser(std::string_view user, LoginMechanism mech, LoginFeedCounts& c);
  void Decide(LoginOutcome outcome, std::vector<LoginAttempt>& out);
  void TelnetFeed(bool from_client, const uint8_t* data, size_t len,
                  std::vector<LoginAttempt>& out);
  void TelnetServerText(std::vector<LoginAttempt>& out, bool line_end);

  LoginProtocol protocol_;
  State state_ = State::kIdle;
  LoginMechanism mechanism_ = LoginMechanism::kPassword;
  std::string user_;
  std::string tag_;  // IMAP: the tag of the LOGIN or AUTHENTICATE command
  // Telnet: IAC parser state per direction (client, server) and the server's current line.
  std::array<uint8_t, 2> iac_{};
  std::string server_line_;
};

}  // namespace vigil::network
