// libFuzzer target: the metrics endpoint's web configuration (web_auth.h) on arbitrary bytes,
// and BasicAuth::Check on the same bytes as an Authorization header. Parsing must never
// crash, hang or throw; it fails exactly when it records an error; Check never lets a header
// through that does not carry the one user's password.
#include <crypt.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "vigil/diagnostic.h"
#include "web_auth.h"

namespace {

// One bcrypt hash of "pw" (cost 4, the cheapest), made once.
const std::string& Hash() {
  static const std::string hash = [] {
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (::crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt) == nullptr) std::abort();
    auto data = std::make_unique<crypt_data>();
    const char* out = ::crypt_r("pw", salt, data.get());
    if (out == nullptr || out[0] == '*') std::abort();
    return std::string(out);
  }();
  return hash;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vigil::Diagnostics diags;
  auto config = vigil::ParseWebConfig(text, "web.yml", diags);
  if (config.ok() == diags.has_errors()) std::abort();
  if (config.ok() && config->users.empty()) std::abort();
  (void)diags.FormatText();
  // Headers: only those starting "Basic " reach base64 and bcrypt (bcrypt is slow by design).
  static vigil::BasicAuth auth(vigil::WebConfig{{{"u", Hash()}}});
  if (text.size() > 6 && (text[0] | 0x20) == 'b') {
    if (auth.Check(text)) {
      // Only "u:pw" may pass: the scheme in any case, spaces, then its one strict base64 form.
      std::string_view creds = text.substr(6);
      while (!creds.empty() && creds.front() == ' ') creds.remove_prefix(1);
      if (creds != "dTpwdw==") std::abort();
    }
  }
  return 0;
}
