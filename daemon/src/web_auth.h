// Basic authentication of the metrics endpoint, configured the way Prometheus exporters are
// (the exporter-toolkit web configuration file), so the same file and the same Prometheus
// scrape config (`basic_auth:`) work for Vigil:
//
//   basic_auth_users:
//     prometheus: $2y$10$Q9Vf...   # bcrypt, e.g. from `htpasswd -nBC 10 prometheus`
//
// Only bcrypt hashes ($2a$, $2b$, $2y$) are accepted, as exporter-toolkit does; they are
// checked with crypt(3) from libxcrypt. TLS is not served by Vigil: a `tls_server_config`
// is refused with a pointer to a reverse proxy (docs/metrics.md says why).
//
// A bcrypt check costs tens of milliseconds by design. So that a scraper sending the same
// credentials every 15 s costs nothing and an attacker cannot make each request expensive
// for others, the SHA-256 of the last password that verified is kept per user and compared in
// constant time; any other password goes through bcrypt again.
//
// Threading: LoadWebConfigFile is pure; BasicAuth::Check may be called from any thread.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "audit/digest.h"
#include "vigil/diagnostic.h"
#include "vigil/status.h"

namespace vigil {

struct WebConfig {
  std::map<std::string, std::string> users;  // user name -> bcrypt hash
};

// Reads and validates the web configuration file; problems are located diagnostics in it.
Result<WebConfig> LoadWebConfigFile(const std::string& path, Diagnostics& diags);
// The same on text already read (`name` stands for the file in diagnostics).
Result<WebConfig> ParseWebConfig(std::string_view text, const std::string& name, Diagnostics& diags);

class BasicAuth {
 public:
  explicit BasicAuth(WebConfig config) : users_(std::move(config.users)) {}
  bool enabled() const { return !users_.empty(); }
  // Whether an `Authorization` header value ("Basic <base64 of user:password>") names a user
  // of the file with the right password. Without users, everything is allowed.
  bool Check(std::string_view authorization);

 private:
  bool Bcrypt(const std::string& password, const std::string& hash) const;

  std::map<std::string, std::string> users_;
  std::mutex mu_;
  std::map<std::string, audit::Hash> verified_;  // guarded by mu_: user -> SHA-256 of the password
};

}  // namespace vigil
