#include "sshd_scan.h"

#include "auth_record.h"

namespace vigil::access {
namespace {

// Reads ` port N` at the front of `*s`.
bool ConsumePort(std::string_view* s, int64_t* port) {
  std::string_view t = *s;
  if (!Consume(&t, " port ")) return false;
  size_t n = 0;
  while (n < t.size() && t[n] >= '0' && t[n] <= '9') ++n;
  const int64_t p = ParseSmallInt(t.substr(0, n));
  if (p < 0 || p > 65535) return false;
  *port = p;
  s->remove_prefix(s->size() - t.size() + n);
  return true;
}

}  // namespace

bool FindFrom(std::string_view s, size_t start, std::initializer_list<std::string_view> tails,
              FromMatch* out) {
  for (size_t at = s.find(" from ", start); at != std::string_view::npos;
       at = s.find(" from ", at + 1)) {
    std::string_view rest = s.substr(at + 6);
    const size_t end = rest.find(' ');
    std::string_view host = rest.substr(0, end);
    if (!LooksLikeHost(host)) continue;
    rest.remove_prefix(host.size());
    int64_t port = -1;
    ConsumePort(&rest, &port);
    if (StartsWith(rest, " on ")) {  // ` on ADDR port P` (ListenAddress), seen in old logs
      std::string_view t = rest.substr(4);
      const size_t sp = t.find(' ');
      if (sp != std::string_view::npos) {
        t.remove_prefix(sp);
        int64_t local_port = -1;
        if (ConsumePort(&t, &local_port)) rest = t;
      }
    }
    if (StartsWith(rest, " ssh")) {
      size_t n = 4;
      while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') ++n;
      rest.remove_prefix(n);
    }
    bool ok = rest.empty();
    for (std::string_view t : tails) {
      if (!ok && StartsWith(rest, t)) ok = true;
    }
    if (!ok) continue;
    out->at = at;
    out->host = host;
    out->port = port;
    out->tail = rest;
    return true;
  }
  return false;
}

bool SplitUserHostPort(std::string_view s, bool with_user, std::string_view* user,
                       std::string_view* host, int64_t* port) {
  s = TrimRight(s);
  *port = -1;
  const size_t p = s.rfind(" port ");
  if (p != std::string_view::npos) {
    const int64_t n = ParseSmallInt(s.substr(p + 6));
    if (n >= 0 && n <= 65535) {
      *port = n;
      s = s.substr(0, p);
    }
  }
  if (!with_user) {
    *host = s;
    *user = {};
    return LooksLikeHost(s);
  }
  const size_t sp = s.rfind(' ');
  if (sp == std::string_view::npos) return false;
  *host = s.substr(sp + 1);
  *user = s.substr(0, sp);
  return LooksLikeHost(*host);
}

bool ConsumeInvalidUser(std::string_view* s) {
  return Consume(s, "invalid user ") || Consume(s, "illegal user ");
}

}  // namespace vigil::access
