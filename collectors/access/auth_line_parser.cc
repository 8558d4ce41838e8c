#include "auth_line_parser.h"

#include "account_parser.h"
#include "login_parser.h"
#include "pam_parser.h"
#include "su_parser.h"
#include "sudo_parser.h"

namespace vigil::access {
namespace {

enum class Program : uint8_t { kOther, kSshd, kSudo, kSu, kAccount, kLogin };

Program Classify(std::string_view p) {
  if (p == "sshd" || p == "sshd-session" || p == "sshd-auth") return Program::kSshd;
  if (p == "sudo") return Program::kSudo;
  if (p == "su") return Program::kSu;
  if (p == "login" || p == "systemd-logind") return Program::kLogin;
  static constexpr std::string_view kAccount[] = {
      "useradd", "userdel", "usermod", "groupadd", "groupdel", "groupmod",
      "gpasswd", "passwd",  "chpasswd", "chage",   "newusers"};
  for (std::string_view a : kAccount) {
    if (p == a) return Program::kAccount;
  }
  return Program::kOther;
}

}  // namespace

bool AuthLineParser::Parse(const SyslogHeader& header, AuthRecord* r) {
  SshdParser::Role role = SshdParser::Role::kPlain;
  switch (ParseMessage(header, r, &role)) {
    case Kind::kSshd:
      sshd_.Apply(header.pid, role, r);
      return true;
    case Kind::kEvent:
      return true;
    case Kind::kIgnored:
      break;
  }
  ++ignored_;
  return false;
}

AuthLineParser::Kind AuthLineParser::ParseMessage(const SyslogHeader& header, AuthRecord* r,
                                                  SshdParser::Role* role) {
  switch (Classify(header.program)) {
    case Program::kSshd:
      *role = SshdParser::ParseMessage(header.message, r);
      return Kind::kSshd;
    case Program::kSudo:
      ParseSudo(header.message, r);
      return Kind::kEvent;
    case Program::kSu:
      ParseSu(header.message, r);
      return Kind::kEvent;
    case Program::kAccount:
      ParseAccount(header.message, r);
      return Kind::kEvent;
    case Program::kLogin:
      ParseLogin(header.message, r);
      return Kind::kEvent;
    case Program::kOther:
      break;
  }
  if (IsPamMessage(header.message)) {
    ParsePam(header.message, r);
    return Kind::kEvent;
  }
  return Kind::kIgnored;
}

}  // namespace vigil::access
