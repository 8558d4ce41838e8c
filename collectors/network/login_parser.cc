#include "login_parser.h"

#include <string.h>  // explicit_bzero

#include <algorithm>

#include "wire_text.h"

namespace vigil::network {
namespace {

char Upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Upper(a[i]) != Upper(b[i])) return false;
  }
  return true;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// Splits "WORD rest" at the first space; the rest loses its leading spaces.
void SplitWord(std::string_view line, std::string_view* word, std::string_view* rest) {
  const size_t sp = line.find(' ');
  *word = line.substr(0, sp);
  *rest = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  while (!rest->empty() && rest->front() == ' ') rest->remove_prefix(1);
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// The reply code of an FTP or SMTP reply line ("230 ...", "235-..."), else -1.
int ReplyCode(std::string_view line) {
  if (line.size() < 3) return -1;
  for (int i = 0; i < 3; ++i) {
    if (line[i] < '0' || line[i] > '9') return -1;
  }
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-') return -1;
  return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

// IMAP astring (RFC 3501): an atom or a quoted string with \" and \\ escapes. Sets
// `literal` for a {n} literal (not read). Returns false when malformed.
bool ImapAstring(std::string_view* in, std::string* out, bool* literal) {
  std::string_view& s = *in;
  out->clear();
  *literal = false;
  if (s.empty()) return false;
  if (s.front() == '{') {
    *literal = true;
    return true;
  }
  if (s.front() == '"') {
    for (size_t i = 1; i < s.size(); ++i) {
      char c = s[i];
      if (c == '\\') {
        if (++i >= s.size()) return false;
        c = s[i];
        if (c != '"' && c != '\\') return false;
      } else if (c == '"') {
        s.remove_prefix(i + 1);
        return true;
      }
      if (out->size() > kMaxLoginUser) return false;
      out->push_back(c);
    }
    return false;  // no closing quote
  }
  size_t n = 0;
  while (n < s.size() && s[n] != ' ' && s[n] != '(' && s[n] != ')' && s[n] != '{' &&
         s[n] != '"' && static_cast<unsigned char>(s[n]) > 0x20 && s[n] != 0x7f) {
    ++n;
  }
  if (n == 0) return false;
  out->assign(s.substr(0, n));
  s.remove_prefix(n);
  return true;
}

// Telnet IAC parser states.
enum : uint8_t { kIacData, kIacCmd, kIacOption, kIacSb, kIacSbIac };
constexpr uint8_t kIac = 255, kSb = 250, kSe = 240, kWill = 251, kDont = 254;

// Passes one byte through the IAC state machine; true when it is data.
bool TelnetData(uint8_t& state, uint8_t b) {
  switch (state) {
    case kIacData:
      if (b == kIac) {
        state = kIacCmd;
        return false;
      }
      return true;
    case kIacCmd:
      if (b == kIac) {  // an escaped 0xFF data byte
        state = kIacData;
        return true;
      }
      if (b == kSb) state = kIacSb;
      else if (b >= kWill && b <= kDont) state = kIacOption;
      else state = kIacData;
      return false;
    case kIacOption:
      state = kIacData;
      return false;
    case kIacSb:
      if (b == kIac) state = kIacSbIac;
      return false;
    case kIacSbIac:
      state = b == kSe ? kIacData : kIacSb;
      return false;
    default:
      state = kIacData;
      return false;
  }
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string_view LoginProtocolName(LoginProtocol p) {
  switch (p) {
    case LoginProtocol::kFtp: return "ftp";
    case LoginProtocol::kTelnet: return "telnet";
    case LoginProtocol::kPop3: return "pop3";
    case LoginProtocol::kImap: return "imap";
    case LoginProtocol::kSmtp: return "smtp";
  }
  return "unknown";
}

bool LoginProtocolForPort(uint16_t port, LoginProtocol* out) {
  switch (port) {
    case 21: *out = LoginProtocol::kFtp; return true;
    case 23: *out = LoginProtocol::kTelnet; return true;
    case 110: *out = LoginProtocol::kPop3; return true;
    case 143: *out = LoginProtocol::kImap; return true;
    case 25:
    case 587: *out = LoginProtocol::kSmtp; return true;
    default: return false;
  }
}

std::string_view LoginMechanismName(LoginMechanism m) {
  switch (m) {
    case LoginMechanism::kPassword: return "password";
    case LoginMechanism::kApop: return "apop";
    case LoginMechanism::kPlain: return "plain";
    case LoginMechanism::kLogin: return "login";
  }
  return "unknown";
}

std::string_view LoginOutcomeName(LoginOutcome o) {
  switch (o) {
    case LoginOutcome::kUnknown: return "unknown";
    case LoginOutcome::kSuccess: return "success";
    case LoginOutcome::kFailure: return "failure";
  }
  return "unknown";
}

int DecodeBase64(std::string_view text, uint8_t* out, size_t capacity) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return -1;
  size_t n = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = Base64Value(c);
    if (v < 0) return -1;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n >= capacity) return -1;
      out[n++] = static_cast<uint8_t>(acc >> bits);
    }
  }
  return static_cast<int>(n);
}

bool PlainAuthcid(std::string_view base64, std::string* authcid) {
  std::array<uint8_t, 768> buf;  // RFC 4616 allows 255 bytes per part
  const int n = DecodeBase64(base64, buf.data(), buf.size());
  bool ok = false;
  if (n > 0) {
    const std::string_view s(reinterpret_cast<const char*>(buf.data()), static_cast<size_t>(n));
    const size_t a = s.find('\0');
    const size_t b = a == std::string_view::npos ? a : s.find('\0', a + 1);
    if (b != std::string_view::npos && s.find('\0', b + 1) == std::string_view::npos) {
      authcid->assign(s.substr(a + 1, b - a - 1));
      ok = true;
    }
  }
  explicit_bzero(buf.data(), buf.size());
  return ok;
}

void LoginDialogue::Feed(bool from_client, const uint8_t* data, size_t len,
                         std::vector<LoginAttempt>& out, LoginFeedCounts& counts) {
  if (state_ == State::kDone || len == 0) return;
  if (protocol_ == LoginProtocol::kTelnet) {
    TelnetFeed(from_client, data, len, out);
    return;
  }
  std::string_view s(reinterpret_cast<const char*>(data), len);
  while (!s.empty() && state_ != State::kDone) {
    const size_t nl = s.find('\n');
    std::string_view line = s.substr(0, nl);
    s = nl == std::string_view::npos ? std::string_view() : s.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > kMaxLoginLine) {
      if (from_client) ++counts.malformed;
      continue;
    }
    if (from_client) {
      ClientLine(line, out, counts);
    } else {
      ServerLine(line, out);
    }
  }
}

bool LoginDialogue::TakePending(LoginAttempt* out) {
  bool pending = false;
  switch (state_) {
    case State::kUserSent:
    case State::kCredsSent:
    case State::kSaslLoginPass:
    case State::kTelnetAfterUser:
    case State::kTelnetPassword:
    case State::kTelnetAnswer:
      pending = !user_.empty();
      break;
    default:
      break;
  }
  if (!pending) return false;
  out->protocol = protocol_;
  out->mechanism = mechanism_;
  out->outcome = LoginOutcome::kUnknown;
  out->user = std::move(user_);
  user_.clear();
  if (state_ != State::kDone) state_ = State::kIdle;
  return true;
}

bool LoginDialogue::SetUser(std::string_view user, LoginMechanism mech, LoginFeedCounts& c) {
  if (user.empty() || user.size() > kMaxLoginUser) {
    ++c.malformed;
    state_ = State::kIdle;
    return false;
  }
  user_.assign(user);
  for (char& ch : user_) {
    if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) > 0x7e) ch = '?';
  }
  mechanism_ = mech;
  return true;
}

void LoginDialogue::Decide(LoginOutcome outcome, std::vector<LoginAttempt>& out) {
  if (user_.empty()) {
    state_ = State::kIdle;
    return;
  }
  LoginAttempt a;
  a.protocol = protocol_;
  a.mechanism = mechanism_;
  a.outcome = outcome;
  a.user = std::move(user_);
  user_.clear();
  out.push_back(std::move(a));
  // A successful login ends the dialogue; after a failure the client may try again.
  state_ = outcome == LoginOutcome::kSuccess ? State::kDone : State::kIdle;
  if (state_ == State::kDone) {
    tag_.clear();
    tag_.shrink_to_fit();
  }
}

void LoginDialogue::ClientLine(std::string_view line, std::vector<LoginAttempt>& out,
                               LoginFeedCounts& c) {
  (void)out;
  switch (state_) {
    case State::kSaslPlain:
    case State::kSaslLoginUser:
    case State::kSaslLoginPass:
      SaslClientLine(line, c);
      return;
    default:
      break;
  }
  if (protocol_ == LoginProtocol::kImap) {
    ImapClient(line, c);
    return;
  }
  std::string_view cmd, arg;
  SplitWord(line, &cmd, &arg);
  switch (protocol_) {
    case LoginProtocol::kFtp: FtpClient(cmd, arg, c); break;
    case LoginProtocol::kPop3: Pop3Client(cmd, arg, c); break;
    case LoginProtocol::kSmtp: SmtpClient(cmd, arg, c); break;
    default: break;
  }
}

void LoginDialogue::FtpClient(std::string_view cmd, std::string_view arg, LoginFeedCounts& c) {
  if (IEquals(cmd, "USER")) {
    if (SetUser(TrimRight(arg), LoginMechanism::kPassword, c)) state_ = State::kUserSent;
  } else if (IEquals(cmd, "PASS")) {
    if (state_ == State::kUserSent) state_ = State::kCredsSent;  // the password: not read
  } else if (IEquals(cmd, "AUTH")) {
    state_ = State::kDone;  // AUTH TLS / AUTH SSL: the TLS inspector takes over
  }
}

void LoginDialogue::Pop3Client(std::string_view cmd, std::string_view arg, LoginFeedCounts& c) {
  if (IEquals(cmd, "USER")) {
    if (SetUser(TrimRight(arg), LoginMechanism::kPassword, c)) state_ = State::kUserSent;
  } else if (IEquals(cmd, "PASS")) {
    if (state_ == State::kUserSent) state_ = State::kCredsSent;
  } else if (IEquals(cmd, "APOP")) {
    std::string_view name, digest;
    SplitWord(arg, &name, &digest);
    if (TrimRight(digest).empty()) {
      ++c.malformed;
      state_ = State::kIdle;
    } else if (SetUser(name, LoginMechanism::kApop, c)) {
      state_ = State::kCredsSent;
    }
  } else if (IEquals(cmd, "AUTH")) {
    SaslStart(arg, c);
  } else if (IEquals(cmd, "STLS")) {
    state_ = State::kDone;
  }
}

void LoginDialogue::SmtpClient(std::string_view cmd, std::string_view arg, LoginFeedCounts& c) {
  if (IEquals(cmd, "AUTH")) {
    SaslStart(arg, c);
  } else if (IEquals(TrimRight(cmd), "STARTTLS")) {
    state_ = State::kDone;
  }
}

void LoginDialogue::ImapClient(std::string_view line, LoginFeedCounts& c) {
  std::string_view tag, rest, cmd, args;
  SplitWord(line, &tag, &rest);
  SplitWord(rest, &cmd, &args);
  cmd = TrimRight(cmd);
  if (tag.empty() || tag.size() > kMaxImapTag) return;
  if (IEquals(cmd, "STARTTLS")) {
    state_ = State::kDone;
  } else if (IEquals(cmd, "LOGIN")) {
    std::string user;
    bool literal = false;
    if (!ImapAstring(&args, &user, &literal)) {
      ++c.malformed;
      state_ = State::kIdle;
      return;
    }
    if (literal) {  // {n}: the name follows in the next segment, not read
      ++c.not_inspected;
      state_ = State::kIdle;
      return;
    }
    if (args.empty() || args.front() != ' ' || TrimRight(args.substr(1)).empty()) {
      ++c.malformed;  // no password
      state_ = State::kIdle;
      return;
    }
    if (SetUser(user, LoginMechanism::kPassword, c)) {
      tag_.assign(tag);
      state_ = State::kCredsSent;
    }
  } else if (IEquals(cmd, "AUTHENTICATE")) {
    tag_.assign(tag);
    SaslStart(args, c);
  }
}

void LoginDialogue::SaslStart(std::string_view mech_and_initial, LoginFeedCounts& c) {
  std::string_view mech, initial;
  SplitWord(mech_and_initial, &mech, &initial);
  mech = TrimRight(mech);
  initial = TrimRight(initial);
  user_.clear();
  if (mech.empty()) {  // POP3 "AUTH" alone lists the mechanisms
    state_ = State::kIdle;
    return;
  }
  if (IEquals(mech, "PLAIN")) {
    mechanism_ = LoginMechanism::kPlain;
    state_ = State::kSaslPlain;
    if (!initial.empty() && initial != "=") SaslClientLine(initial, c);
  } else if (IEquals(mech, "LOGIN")) {
    mechanism_ = LoginMechanism::kLogin;
    state_ = State::kSaslLoginUser;
    if (!initial.empty() && initial != "=") SaslClientLine(initial, c);
  } else {
    ++c.not_inspected;  // CRAM-MD5, SCRAM, XOAUTH2, ...: no cleartext password
    state_ = State::kIdle;
  }
}

void LoginDialogue::SaslClientLine(std::string_view line, LoginFeedCounts& c) {
  line = TrimRight(line);
  if (line == "*") {  // the client cancels the exchange
    user_.clear();
    state_ = State::kIdle;
    return;
  }
  if (state_ == State::kSaslPlain) {
    std::string authcid;
    if (!PlainAuthcid(line, &authcid)) {
      ++c.malformed;
      state_ = State::kIdle;
      return;
    }
    if (SetUser(authcid, LoginMechanism::kPlain, c)) state_ = State::kCredsSent;
  } else if (state_ == State::kSaslLoginUser) {
    std::array<uint8_t, kMaxLoginUser + 1> buf{};
    const int n = DecodeBase64(line, buf.data(), buf.size());
    if (n < 0) {
      ++c.malformed;
      state_ = State::kIdle;
      return;
    }
    const std::string_view user(reinterpret_cast<const char*>(buf.data()), static_cast<size_t>(n));
    if (SetUser(user, LoginMechanism::kLogin, c)) state_ = State::kSaslLoginPass;
  } else if (state_ == State::kSaslLoginPass) {
    state_ = State::kCredsSent;  // the password: not decoded
  }
}

void LoginDialogue::ServerLine(std::string_view line, std::vector<LoginAttempt>& out) {
  const bool waiting = state_ == State::kUserSent || state_ == State::kCredsSent ||
                       state_ == State::kSaslPlain || state_ == State::kSaslLoginUser ||
                       state_ == State::kSaslLoginPass;
  if (!waiting) return;
  switch (protocol_) {
    case LoginProtocol::kFtp: {
      const int code = ReplyCode(line);
      if (code < 0 || code == 331 || code == 332) return;
      if (code == 230) Decide(LoginOutcome::kSuccess, out);
      else if (code >= 400) Decide(LoginOutcome::kFailure, out);
      return;
    }
    case LoginProtocol::kSmtp: {
      const int code = ReplyCode(line);
      if (code < 0 || code == 334) return;
      if (code == 235) Decide(LoginOutcome::kSuccess, out);
      else if (code >= 400) Decide(LoginOutcome::kFailure, out);
      return;
    }
    case LoginProtocol::kPop3:
      if (StartsWith(line, "+OK")) {
        if (state_ == State::kCredsSent) Decide(LoginOutcome::kSuccess, out);
      } else if (StartsWith(line, "-ERR")) {
        Decide(LoginOutcome::kFailure, out);
      }
      return;
    case LoginProtocol::kImap: {
      std::string_view tag, rest, status, text;
      SplitWord(line, &tag, &rest);
      if (tag.empty() || tag != tag_) return;  // untagged (*), continuation (+), other tag
      SplitWord(rest, &status, &text);
      status = TrimRight(status);
      if (IEquals(status, "OK")) Decide(LoginOutcome::kSuccess, out);
      else if (IEquals(status, "NO") || IEquals(status, "BAD")) Decide(LoginOutcome::kFailure, out);
      return;
    }
    case LoginProtocol::kTelnet:
      return;
  }
}

void LoginDialogue::TelnetFeed(bool from_client, const uint8_t* data, size_t len,
                               std::vector<LoginAttempt>& out) {
  uint8_t& iac = iac_[from_client ? 0 : 1];
  for (size_t i = 0; i < len && state_ != State::kDone; ++i) {
    const uint8_t b = data[i];
    if (!TelnetData(iac, b)) continue;
    if (!from_client) {
      if (b == '\n' || b == '\r') {
        TelnetServerText(out, true);
        server_line_.clear();
      } else if (b >= 0x20 && b < 0x7f && server_line_.size() < kMaxTelnetLine) {
        server_line_.push_back(Lower(static_cast<char>(b)));
      }
      continue;
    }
    switch (state_) {
      case State::kTelnetUser:
        if (b == '\r' || b == '\n') {
          if (!user_.empty()) state_ = State::kTelnetAfterUser;
        } else if (b == 0x08 || b == 0x7f) {
          if (!user_.empty()) user_.pop_back();
        } else if (b >= 0x20 && b < 0x7f && user_.size() < kMaxLoginUser) {
          user_.push_back(static_cast<char>(b));
        }
        break;
      case State::kTelnetPassword:
        if (b == '\r' || b == '\n') state_ = State::kTelnetAnswer;  // the password: dropped
        break;
      default:
        break;
    }
  }
  if (!from_client && state_ != State::kDone) TelnetServerText(out, false);
}

// Looks at the server's current line: at a line end for answers, at a segment end for
// prompts (which have no line end).
void LoginDialogue::TelnetServerText(std::vector<LoginAttempt>& out, bool line_end) {
  const std::string_view line = TrimRight(server_line_);
  if (line.empty()) return;
  const bool login_prompt = EndsWith(line, "login:") || EndsWith(line, "username:");
  if (state_ == State::kTelnetAnswer) {
    if (line.find("incorrect") != std::string_view::npos ||
        line.find("failed") != std::string_view::npos ||
        line.find("denied") != std::string_view::npos ||
        line.find("invalid") != std::string_view::npos || (!line_end && login_prompt)) {
      Decide(LoginOutcome::kFailure, out);
    } else if (line.find("last login") != std::string_view::npos ||
               (!line_end && (line.back() == '$' || line.back() == '#' || line.back() == '>' ||
                              line.back() == '%'))) {
      Decide(LoginOutcome::kSuccess, out);
      return;
    }
  }
  if (line_end || state_ == State::kDone) return;
  if (login_prompt && state_ != State::kTelnetAnswer) {
    user_.clear();
    mechanism_ = LoginMechanism::kPassword;
    state_ = State::kTelnetUser;
    server_line_.clear();
  } else if (EndsWith(line, "password:") &&
             (state_ == State::kTelnetAfterUser || state_ == State::kTelnetUser)) {
    if (!user_.empty()) state_ = State::kTelnetPassword;
    server_line_.clear();
  }
}

}  // namespace vigil::network
