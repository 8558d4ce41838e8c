// libFuzzer target for the TLS hello parser and the fingerprints
// (collectors/network/tls_parser.h).
//
// The input is one TCP payload, copied to an exact-size buffer so that ASan sees any read
// past it. Checked on every input: no crash or hang, every kept list and string within its
// bound; the fingerprints of a parsed hello are computed and have their fixed shapes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "tls_parser.h"

namespace {

void Fail(const char* what) {
  std::fprintf(stderr, "tls_parser_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace n = vigil::network;
  std::vector<uint8_t> payload(data, data + size);
  n::TlsHello h;
  if (n::ParseTlsHello(payload.data(), payload.size(), h) != n::TlsParse::kOk) return 0;
  if (h.ciphers.size() > n::kMaxTlsCiphers || h.extensions.size() > n::kMaxTlsExtensions ||
      h.alpn.size() > n::kMaxTlsListEntries || h.groups.size() > n::kMaxTlsListEntries ||
      h.sig_algs.size() > n::kMaxTlsListEntries ||
      h.point_formats.size() > n::kMaxTlsListEntries ||
      h.supported_versions.size() > n::kMaxTlsListEntries || h.server_name.size() > n::kMaxTlsName) {
    Fail("bound exceeded");
  }
  for (const auto& a : h.alpn) {
    if (a.empty() || a.size() > n::kMaxTlsName) Fail("alpn value size");
  }
  if (h.client) {
    if (n::Md5Hex(n::Ja3String(h)).size() != 32) Fail("ja3 size");
    if (n::Ja4(h).size() != 36) Fail("ja4 size");
  } else {
    if (n::Md5Hex(n::Ja3sString(h)).size() != 32) Fail("ja3s size");
  }
  (void)n::TlsVersionNumber(n::TlsEffectiveVersion(h));
  for (uint16_t c : h.ciphers) (void)n::TlsCipherName(c);
  return 0;
}
