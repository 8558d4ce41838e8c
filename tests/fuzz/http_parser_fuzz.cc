// libFuzzer target for the HTTP/1.x, SSH banner and SMB NEGOTIATE parsers
// (collectors/network/{http,ssh,smb}_parser.h): every input goes to all three.
//
// The input is one TCP payload, copied to an exact-size buffer so that ASan sees any read
// past it. Checked on every input: no crash or hang, every kept string printable ASCII and
// within its bound, a Basic user name never holds the ':' that starts the password.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "http_parser.h"
#include "smb_parser.h"
#include "ssh_parser.h"

namespace {

void Fail(const char* what) {
  std::fprintf(stderr, "http_parser_fuzz: %s\n", what);
  std::abort();
}

// Kept strings are escaped: printable ASCII, at most 4 bytes per input byte kept.
void Check(const std::string& s, size_t max_input, const char* what) {
  if (s.size() > 4 * max_input) Fail(what);
  for (char c : s) {
    if (c < 0x20 || c > 0x7E) Fail(what);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace n = vigil::network;
  std::vector<uint8_t> payload(data, data + size);

  n::HttpMessage m;
  if (n::ParseHttp(payload.data(), payload.size(), m) == n::HttpParse::kOk) {
    Check(m.method, n::kMaxHttpMethod, "method");
    Check(m.target, n::kMaxHttpTarget, "target");
    Check(m.host, n::kMaxHttpValue, "host");
    Check(m.user_agent, n::kMaxHttpValue, "user agent");
    Check(m.auth_scheme, n::kMaxHttpScheme, "auth scheme");
    Check(m.auth_user, n::kMaxHttpUser, "auth user");
    if (m.auth_user.find(':') != std::string::npos) Fail("user name holds a ':'");
    if (m.header_count > n::kMaxHttpHeaders) Fail("header count");
    if (m.request == m.method.empty()) Fail("request without method");
    if (!m.request && (m.status_code < 100 || m.status_code > 999)) Fail("status code");
    (void)n::HttpHostDomain(m.host);
    (void)n::HttpTargetPath(m.target);
  }

  n::SshBanner b;
  if (n::ParseSshBanner(payload.data(), payload.size(), b) == n::SshParse::kOk) {
    Check(b.version, n::kMaxSshBanner, "ssh version");
    Check(b.software, n::kMaxSshBanner, "ssh software");
    Check(b.comments, n::kMaxSshBanner, "ssh comments");
    if (b.version.empty() || b.software.empty()) Fail("ssh empty part");
  }

  n::SmbNegotiate s;
  if (n::ParseSmbNegotiate(payload.data(), payload.size(), s) == n::SmbParse::kOk) {
    if (s.version != 1 && s.version != 2) Fail("smb version");
    if (s.dialects.size() > n::kMaxSmbDialects) Fail("smb dialect count");
    for (const std::string& d : s.dialects) Check(d, n::kMaxSmbDialectName, "smb dialect");
  }
  return 0;
}
