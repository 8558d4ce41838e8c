// libFuzzer target for the DNS parser (collectors/network/dns_parser.h).
//
// The first input byte picks UDP (even) or TCP framing (odd); the rest is the payload,
// copied to an exact-size buffer so that ASan sees any read past it. Checked on every
// input: no crash or hang, the question name within its bound, answers within theirs.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "dns_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool tcp = (data[0] & 1) != 0;
  std::vector<uint8_t> payload(data + 1, data + size);
  vigil::network::DnsMessage m;
  const auto r = tcp ? vigil::network::ParseDnsTcp(payload.data(), payload.size(), m)
                     : vigil::network::ParseDns(payload.data(), payload.size(), m);
  if (r == vigil::network::DnsParse::kOk) {
    if (m.question_name.size() > vigil::network::kMaxDnsName ||
        m.answers.size() > vigil::network::kMaxDnsAnswers) {
      std::fprintf(stderr, "dns_parser_fuzz: bound exceeded\n");
      std::abort();
    }
    (void)vigil::network::DnsTypeName(m.question_type);
    (void)vigil::network::DnsRcodeName(m.rcode);
  }
  return 0;
}
