#include "ssh_parser.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "wire_text.h"

namespace vigil::network {
namespace {

}  // namespace

SshParse ParseSshBanner(const uint8_t* data, size_t size, SshBanner& out) {
  out = SshBanner{};
  if (size < 4 || std::memcmp(data, "SSH-", 4) != 0) return SshParse::kNotSsh;
  std::string_view line(reinterpret_cast<const char*>(data), std::min(size, kMaxSshBanner));
  line = line.substr(0, line.find_first_of("\r\n"));
  line.remove_prefix(4);
  const size_t dash = line.find('-');
  if (dash == 0 || dash == std::string_view::npos) return SshParse::kMalformed;
  const std::string_view version = line.substr(0, dash);
  if (version.find(' ') != std::string_view::npos) return SshParse::kMalformed;
  std::string_view rest = line.substr(dash + 1);
  const size_t sp = rest.find(' ');
  const std::string_view software = rest.substr(0, sp);
  if (software.empty()) return SshParse::kMalformed;
  out.version = EscapedText(version);
  out.software = EscapedText(software);
  if (sp != std::string_view::npos) out.comments = EscapedText(rest.substr(sp + 1));
  return SshParse::kOk;
}

}  // namespace vigil::network
