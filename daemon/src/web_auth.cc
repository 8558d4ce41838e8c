#include "web_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>

#include <memory>

#include "vigil/config_section.h"
#include "vigil/read_file.h"
#include "vigil/yaml_load.h"

namespace vigil {
namespace {

constexpr size_t kMaxWebConfigBytes = 64 * 1024;

// "$2a$", "$2b$" or "$2y$", a two-digit cost 04-31, "$", then 53 characters of bcrypt's base64.
bool IsBcryptHash(std::string_view h) {
  if (h.size() != 60 || h[0] != '$' || h[1] != '2' || (h[2] != 'a' && h[2] != 'b' && h[2] != 'y') ||
      h[3] != '$' || h[6] != '$') {
    return false;
  }
  if (h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9') return false;
  const int cost = (h[4] - '0') * 10 + (h[5] - '0');
  if (cost < 4 || cost > 31) return false;
  for (char c : h.substr(7)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '/';
    if (!ok) return false;
  }
  return true;
}

// The keys of a web config document into `config`; problems into `diags`.
void ReadWebConfig(const YAML::Node& root, const std::string& path, Diagnostics& diags, WebConfig& config) {
  ConfigSection s(root, path, diags);
  for (std::string_view refused : {"tls_server_config", "http_server_config"}) {
    if (s.Has(refused)) {
      s.BadValue(refused, std::string(refused) +
                              " is not supported: Vigil serves plain HTTP; put a reverse proxy with TLS in "
                              "front of it (docs/metrics.md)");
      (void)s.Section(refused);  // reported once, not again as an unknown key
    }
  }
  ConfigSection users = s.Section("basic_auth_users");
  if (users.node().IsMap()) {
    for (const auto& kv : users.node()) {
      const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : "";
      if (name.empty() || name.find(':') != std::string::npos) {
        diags.Error(MarkLocation(path, kv.first.Mark()), "E103",
                    "a user name must be a non-empty string without ':'");
        continue;
      }
      if (!kv.second.IsScalar() || !IsBcryptHash(kv.second.Scalar())) {
        diags.Error(MarkLocation(path, kv.second.Mark()), "E103",
                    "the password of '" + name +
                        "' must be a bcrypt hash ($2y$, $2b$ or $2a$, cost 04-31, 60 characters; e.g. from "
                        "`htpasswd -nBC 10 " + name + "`)");
        continue;
      }
      if (!config.users.emplace(name, kv.second.Scalar()).second) {
        diags.Error(MarkLocation(path, kv.first.Mark()), "E103", "user '" + name + "' is listed twice");
      }
    }
  }
  s.Finish();
}

}  // namespace

Result<WebConfig> LoadWebConfigFile(const std::string& path, Diagnostics& diags) {
  Result<std::string> text = ReadRegularFile(path, kMaxWebConfigBytes);
  if (!text.ok()) {
    diags.Error({path, 0, 0}, "E100", "cannot read the web config file: " + text.status().message());
    return Status::InvalidArgument("cannot read web config " + path);
  }
  return ParseWebConfig(*text, path, diags);
}

Result<WebConfig> ParseWebConfig(std::string_view text, const std::string& path, Diagnostics& diags) {
  const size_t errors_before = diags.error_count();
  YamlLimits limits;
  limits.what = "web config";
  limits.max_bytes = kMaxWebConfigBytes;
  limits.max_nodes = 10000;
  limits.max_depth = 8;
  auto root = LoadBoundedYaml(text, path, limits, diags);
  WebConfig config;
  if (root) {
    try {
      ReadWebConfig(*root, path, diags, config);
    } catch (const std::exception& e) {  // yaml-cpp on a node we did not expect
      diags.Error({path, 0, 0}, "E100", std::string("cannot read the web config: ") + e.what());
    }
    if (config.users.empty() && diags.error_count() == errors_before) {
      diags.Error({path, 1, 1}, "E104", "basic_auth_users lists no user: every request would be refused");
    }
  }
  if (diags.error_count() > errors_before) return Status::InvalidArgument("invalid web config " + path);
  return config;
}


bool BasicAuth::Bcrypt(const std::string& password, const std::string& hash) const {
  auto data = std::make_unique<crypt_data>();  // about 32 KiB: not on the stack
  const char* out = ::crypt_r(password.c_str(), hash.c_str(), data.get());
  return out != nullptr && out[0] != '*' && std::string_view(out).size() == hash.size() &&
         CRYPTO_memcmp(out, hash.data(), hash.size()) == 0;
}

bool BasicAuth::Check(std::string_view authorization) {
  if (users_.empty()) return true;
  constexpr std::string_view kScheme = "Basic ";
  if (authorization.size() <= kScheme.size() || authorization.size() > 4096) return false;
  for (size_t i = 0; i < kScheme.size() - 1; ++i) {  // the scheme is case-insensitive
    if ((authorization[i] | 0x20) != (kScheme[i] | 0x20)) return false;
  }
  if (authorization[kScheme.size() - 1] != ' ') return false;
  std::string_view encoded = authorization.substr(kScheme.size());
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  auto decoded = audit::FromBase64(encoded);
  if (!decoded) return false;
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos) return false;
  const std::string user = decoded->substr(0, colon);
  const std::string password = decoded->substr(colon + 1);
  auto it = users_.find(user);
  if (it == users_.end()) {
    // As long as a known user's check, so that timing does not tell which names exist.
    (void)Bcrypt(password, users_.begin()->second);
    return false;
  }
  const audit::Hash digest = audit::Sha256(password);
  {
    std::lock_guard lock(mu_);
    auto v = verified_.find(user);
    if (v != verified_.end() && CRYPTO_memcmp(v->second.data(), digest.data(), digest.size()) == 0) return true;
  }
  if (!Bcrypt(password, it->second)) return false;
  std::lock_guard lock(mu_);
  verified_[user] = digest;
  return true;
}

}  // namespace vigil
