#include "su_parser.h"

#include "pam_parser.h"

namespace vigil::access {
namespace {

void SetOutcome(bool ok, AuthRecord* r) {
  r->action = ok ? "su_session" : "su_failure";
  r->outcome = ok ? Outcome::kSuccess : Outcome::kFailure;
  r->type = ok ? "start" : "denied";
  r->has_user = !r->user.empty();
  if (!ok) r->reason = "bad_password";
}

}  // namespace

void ParseSu(std::string_view message, AuthRecord* r) {
  std::string_view msg = Trim(message);
  if (IsPamMessage(msg)) {
    ParsePam(msg, r);
    return;
  }
  r->dataset = "access.su";
  r->category = "authentication";
  r->action = "other";
  std::string_view rest = msg;
  const bool failed = Consume(&rest, "FAILED SU ");
  if (Consume(&rest, "(to ")) {
    const size_t close = rest.find(") ");
    if (close == std::string_view::npos) return;
    r->target_user = rest.substr(0, close);
    rest.remove_prefix(close + 2);
    const size_t on = rest.find(" on ");
    r->user = rest.substr(0, on);
    if (on != std::string_view::npos) r->tty = rest.substr(on + 4);
    SetOutcome(!failed, r);
    return;
  }
  rest = msg;
  const bool ok = Consume(&rest, "Successful su for ");
  if (ok || Consume(&rest, "FAILED su for ")) {
    const size_t by = rest.find(" by ");
    if (by == std::string_view::npos) return;
    r->target_user = rest.substr(0, by);
    r->user = rest.substr(by + 4);
    SetOutcome(ok, r);
    return;
  }
  if (msg.size() > 2 && (msg[0] == '+' || msg[0] == '-') && msg[1] == ' ') {
    rest = msg.substr(2);
    const size_t sp = rest.find(' ');
    if (sp == std::string_view::npos) return;
    std::string_view pair = rest.substr(sp + 1);
    const size_t colon = pair.find(':');
    if (colon == std::string_view::npos) return;
    r->tty = rest.substr(0, sp);
    r->user = pair.substr(0, colon);
    r->target_user = pair.substr(colon + 1);
    SetOutcome(msg[0] == '+', r);
  }
}

}  // namespace vigil::access
