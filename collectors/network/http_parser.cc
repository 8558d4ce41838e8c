#include "http_parser.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

#include "wire_text.h"

namespace vigil::network {
namespace {

bool IsMethodChar(uint8_t c) { return (c >= 'A' && c <= 'Z') || c == '-' || c == '_'; }

// RFC 9110 5.6.2 tchar.
bool IsTokenChar(uint8_t c) {
  if (c >= 'a' && c <= 'z') return true;
  if (c >= 'A' && c <= 'Z') return true;
  if (c >= '0' && c <= '9') return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != 0;
}

bool KnownMethod(std::string_view m) {
  static constexpr std::string_view kMethods[] = {
      "GET",    "POST",     "HEAD",      "PUT",    "DELETE",   "OPTIONS", "CONNECT", "TRACE",
      "PATCH",  "PROPFIND", "PROPPATCH", "MKCOL",  "COPY",     "MOVE",    "LOCK",    "UNLOCK",
      "REPORT", "SEARCH",   "SUBSCRIBE", "NOTIFY", "M-SEARCH", "MERGE",   "CHECKOUT"};
  return std::find(std::begin(kMethods), std::end(kMethods), m) != std::end(kMethods);
}

// Bytes outside 0x20..0x7E become "\xNN"; the result is cut at `max` input bytes.
std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

// "1.0" / "1.1" of "HTTP/1.x", else "".
std::string VersionOf(std::string_view v) {
  if (v.size() != 8 || v.substr(0, 7) != "HTTP/1." || v[7] < '0' || v[7] > '9') return "";
  return std::string("1.") + v[7];
}

// Overwrites `n` bytes in a way the compiler does not drop.
void Wipe(char* p, size_t n) {
  volatile char* v = p;
  for (size_t i = 0; i < n; ++i) v[i] = 0;
}

// The user name of Basic credentials (base64 of "user:password"). Only the bytes up to the
// first ':' are decoded into `buf`; the buffer is wiped before returning. "" when there is
// no ':' within the first kMaxHttpUser + 1 decoded bytes or the base64 is broken there.
std::string BasicUser(std::string_view b64) {
  std::array<char, kMaxHttpUser + 4> buf{};
  size_t len = 0;
  bool colon = false;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : b64) {
    if (c == '=') break;
    const int v = Base64Value(c);
    if (v < 0) break;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      const char byte = static_cast<char>((acc >> bits) & 0xff);
      if (byte == ':') {
        colon = true;
        break;
      }
      if (len >= kMaxHttpUser + 1) break;
      buf[len++] = byte;
    }
  }
  acc = 0;
  std::string user;
  if (colon) user = EscapedText(std::string_view(buf.data(), len), kMaxHttpUser);
  Wipe(buf.data(), buf.size());
  return user;
}

// Cuts ":password" out of the userinfo of an absolute-form target.
std::string WithoutPassword(std::string_view target) {
  const size_t scheme = target.find("://");
  if (scheme == std::string_view::npos) return std::string(target);
  const size_t start = scheme + 3;
  size_t end = target.find_first_of("/?#", start);
  if (end == std::string_view::npos) end = target.size();
  const std::string_view authority = target.substr(start, end - start);
  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(target);
  const size_t colon = authority.find(':');
  if (colon == std::string_view::npos || colon > at) return std::string(target);
  std::string out(target.substr(0, start + colon));
  out += target.substr(start + at);
  return out;
}

// The next line of [p, end): up to CRLF (or a bare LF). False when no line end follows
// within `max` bytes; `*cut` says whether the data ended first.
bool NextLine(const char*& p, const char* end, size_t max, std::string_view* line, bool* cut) {
  const size_t left = static_cast<size_t>(end - p);
  const size_t look = std::min(left, max + 2);
  const void* lf = std::memchr(p, '\n', look);
  if (lf == nullptr) {
    *cut = left <= max + 1;
    return false;
  }
  const char* e = static_cast<const char*>(lf);
  size_t n = static_cast<size_t>(e - p);
  if (n > 0 && p[n - 1] == '\r') --n;
  if (n > max) {
    *cut = false;
    return false;
  }
  *line = std::string_view(p, n);
  p = e + 1;
  return true;
}

HttpParse ParseStatusLine(std::string_view line, HttpMessage& out) {
  // HTTP-version SP 3DIGIT SP [reason]
  if (line.size() < 12 || line[8] != ' ') return HttpParse::kMalformed;
  out.version = VersionOf(line.substr(0, 8));
  if (out.version.empty()) return HttpParse::kMalformed;
  int code = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return HttpParse::kMalformed;
    code = code * 10 + (line[i] - '0');
  }
  if (code < 100 || (line.size() > 12 && line[12] != ' ')) return HttpParse::kMalformed;
  out.status_code = code;
  return HttpParse::kOk;
}

}  // namespace

HttpParse ParseHttp(const uint8_t* data, size_t size, HttpMessage& out) {
  out = HttpMessage{};
  if (size < 4) return HttpParse::kNotHttp;
  const char* p = reinterpret_cast<const char*>(data);
  const char* end = p + size;

  // Quick recognition: "HTTP/1." or a method token and a space.
  const bool response = size >= 7 && std::memcmp(p, "HTTP/1.", 7) == 0;
  size_t mlen = 0;
  if (!response) {
    while (mlen < size && mlen <= kMaxHttpMethod && IsMethodChar(data[mlen])) ++mlen;
    if (mlen == 0 || mlen > kMaxHttpMethod || mlen >= size || data[mlen] != ' ') {
      return HttpParse::kNotHttp;
    }
  }
  const std::string_view method(p, mlen);

  std::string_view line;
  bool cut = false;
  if (!NextLine(p, end, kMaxHttpLine, &line, &cut)) {
    if (response) return cut ? HttpParse::kTruncated : HttpParse::kMalformed;
    if (!KnownMethod(method)) return HttpParse::kNotHttp;
    return cut ? HttpParse::kTruncated : HttpParse::kMalformed;
  }

  if (response) {
    out.request = false;
    const HttpParse r = ParseStatusLine(line, out);
    if (r != HttpParse::kOk) return r;
  } else {
    // method SP request-target SP HTTP-version
    const size_t sp2 = line.rfind(' ');
    if (sp2 == mlen) return KnownMethod(method) ? HttpParse::kMalformed : HttpParse::kNotHttp;
    out.version = VersionOf(line.substr(sp2 + 1));
    if (out.version.empty()) {
      return KnownMethod(method) ? HttpParse::kMalformed : HttpParse::kNotHttp;
    }
    // Lenient as servers are: more than one space around the target, and spaces inside it
    // (an attack, or a client that did not encode them), are taken as they come.
    const std::string_view target = Trim(line.substr(mlen + 1, sp2 - mlen - 1));
    if (target.empty()) return HttpParse::kMalformed;
    out.method = std::string(method);
    out.target = EscapedText(WithoutPassword(target.substr(0, kMaxHttpTarget)), kMaxHttpTarget);
  }

  // Header lines up to the empty line, the segment's end or the bounds.
  while (out.header_count < kMaxHttpHeaders) {
    if (!NextLine(p, end, kMaxHttpLine, &line, &cut)) {
      if (cut) return HttpParse::kOk;  // cut by the segment: keep what was read
      return HttpParse::kMalformed;    // a header line longer than kMaxHttpLine
    }
    if (line.empty()) {
      out.headers_complete = true;
      return HttpParse::kOk;
    }
    if (line.front() == ' ' || line.front() == '\t') continue;  // obsolete line folding
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return HttpParse::kMalformed;
    const std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(),
                     [](char c) { return IsTokenChar(static_cast<uint8_t>(c)); })) {
      return HttpParse::kMalformed;
    }
    ++out.header_count;
    if (!out.request) continue;
    const std::string_view value = Trim(line.substr(colon + 1));
    if (!out.has_host && IEquals(name, "host")) {
      out.has_host = true;
      out.host = EscapedText(value, kMaxHttpValue);
    } else if (!out.has_user_agent && IEquals(name, "user-agent")) {
      out.has_user_agent = true;
      out.user_agent = EscapedText(value, kMaxHttpValue);
    } else if (out.auth_scheme.empty() && IEquals(name, "authorization")) {
      const size_t sp = value.find(' ');
      const std::string_view scheme = value.substr(0, sp);
      out.auth_scheme = EscapedText(scheme, kMaxHttpScheme);  // case-insensitive (RFC 9110 11.1)
      for (char& c : out.auth_scheme) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      }
      if (sp != std::string_view::npos && IEquals(scheme, "basic")) {
        out.auth_user = BasicUser(Trim(value.substr(sp + 1)));
      }
    }
  }
  return HttpParse::kOk;  // more than kMaxHttpHeaders header lines: the rest is not read
}

std::string HttpHostDomain(const std::string& host) {
  std::string_view h = host;
  if (!h.empty() && h.front() == '[') {
    const size_t close = h.find(']');
    h = close == std::string_view::npos ? h.substr(1) : h.substr(1, close - 1);
  } else {
    const size_t colon = h.rfind(':');
    if (colon != std::string_view::npos && h.find(':') == colon) h = h.substr(0, colon);
  }
  std::string out(h);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

std::string HttpTargetPath(const std::string& target) {
  std::string_view t = target;
  if (t.empty() || t == "*") return "";
  if (t.front() != '/') {
    const size_t scheme = t.find("://");
    if (scheme == std::string_view::npos) return "";  // authority-form
    const size_t slash = t.find_first_of("/?#", scheme + 3);
    if (slash == std::string_view::npos || t[slash] != '/') return "/";
    t = t.substr(slash);
  }
  return std::string(t.substr(0, t.find_first_of("?#")));
}

}  // namespace vigil::network
