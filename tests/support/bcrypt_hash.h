// BcryptHash: a bcrypt hash of a password, made with libxcrypt as `htpasswd -B` would, for
// tests of the metrics endpoint's basic authentication (daemon/src/web_auth.h). Cost 4, the
// lowest bcrypt allows, so tests stay fast.
#pragma once

#include <crypt.h>

#include <memory>
#include <string>

namespace vigil::testing {

inline std::string BcryptHash(const std::string& password, int cost = 4) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (::crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), nullptr, 0, salt, sizeof salt) == nullptr) {
    return "";
  }
  auto data = std::make_unique<crypt_data>();
  const char* out = ::crypt_r(password.c_str(), salt, data.get());
  return out != nullptr && out[0] != '*' ? std::string(out) : "";
}

}  // namespace vigil::testing
