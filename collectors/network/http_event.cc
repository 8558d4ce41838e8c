#include "http_event.h"

#include "app_event.h"
#include "vigil/ecs_fields.h"

namespace vigil::network {

Event HttpEvent(const HttpMessage& m, const DecodedPacket& p, int64_t ts_ns,
                const NetworkFieldIds& ids, const UserRedaction& redaction) {
  Event e = AppMessageEvent(p, ts_ns, "network.http", "http",
                            m.request ? "http_request" : "http_response");
  e.Set(ids.http_version, m.version);
  if (!m.request) {
    e.Set(ecs::kHttpResponseStatusCode, int64_t{m.status_code});
    return e;
  }
  e.Set(ecs::kHttpRequestMethod, m.method);
  e.Set(ecs::kUrlOriginal, m.target);
  const std::string path = HttpTargetPath(m.target);
  if (!path.empty()) e.Set(ids.url_path, path);
  if (m.has_host) {
    const std::string domain = HttpHostDomain(m.host);
    if (!domain.empty()) e.Set(ecs::kUrlDomain, domain);
  }
  if (m.has_user_agent) e.Set(ecs::kUserAgentOriginal, m.user_agent);
  if (!m.auth_scheme.empty()) e.Set(ids.http_auth_scheme, m.auth_scheme);
  if (!m.auth_user.empty()) {
    bool redacted = false;
    e.Set(ecs::kUserName, redaction.Shown(m.auth_user, &redacted));
    if (redacted) e.Set(ids.user_redacted, true);
  }
  e.Set(ids.http_header_count, static_cast<int64_t>(m.header_count));
  return e;
}

}  // namespace vigil::network
