// HTTP/1.x request and response-line parser for the network collector (application
// metadata).
//
// Parses the HTTP/1.0 or HTTP/1.1 request (RFC 9112 3, 5) or status line at the start of one
// TCP segment's payload. There is no TCP reassembly: a request whose header block is cut by
// the segment's end is parsed as far as its last whole header line (`headers_complete` is
// false then, and the headers after the cut are unknown); a request line that does not end
// in the segment is kTruncated.
//
// Not-HTTP payloads cost a few byte compares: the payload must start with a method token
// (1..kMaxHttpMethod upper-case letters, '-' or '_') and a space, or with "HTTP/1.".
//
// The input is hostile: the request line and each header line are at most kMaxHttpLine
// bytes, at most kMaxHttpHeaders header lines are looked at, kept strings are cut at their
// kMaxHttp* bound and bytes outside 0x20..0x7E are kept as "\xNN".
//
// Credentials: of an Authorization header only the scheme is kept; for Basic the
// credentials are base64-decoded into a local buffer, the part before the first ':' is kept
// as the user name and the buffer is overwritten before returning. The password is never
// stored. A password in an absolute-form target ("http://user:pass@host/") is cut out of
// `target` ("http://user@host/").
//
// Threading: pure functions, no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace vigil::network {

inline constexpr size_t kMaxHttpMethod = 16;
inline constexpr size_t kMaxHttpLine = 8192;    // request line, each header line
inline constexpr size_t kMaxHttpHeaders = 128;  // header lines looked at
inline constexpr size_t kMaxHttpTarget = 2048;  // bytes of the target kept
inline constexpr size_t kMaxHttpValue = 512;    // Host, User-Agent kept
inline constexpr size_t kMaxHttpUser = 255;     // Basic user name kept
inline constexpr size_t kMaxHttpScheme = 32;    // Authorization scheme kept

struct HttpMessage {
  bool request = true;  // false: a response (status line)
  std::string method;   // request: "GET", ...
  std::string target;   // request: the request target, as sent (escaped, password cut;
                        // spaces around it dropped, spaces inside it kept)
  std::string version;  // "1.0" or "1.1"
  int status_code = 0;  // response: 100..999
  std::string host;     // Host header value ("" when absent)
  bool has_host = false;
  std::string user_agent;  // User-Agent header value
  bool has_user_agent = false;
  // Authorization scheme, lower case ("basic", "bearer", ...), "" when absent.
  std::string auth_scheme;
  std::string auth_user;          // Basic: the user name ("" when absent or not decodable)
  size_t header_count = 0;        // header lines seen (up to kMaxHttpHeaders)
  bool headers_complete = false;  // the empty line ending the header block was seen
};

enum class HttpParse : uint8_t {
  kOk,
  kNotHttp,    // does not start with a request or status line: nothing to count
  kMalformed,  // starts like HTTP but a line is too long or not HTTP syntax
  kTruncated,  // a known method whose request line continues past the segment
};

// Parses the request or status line (and a request's headers) at the start of `data`.
HttpParse ParseHttp(const uint8_t* data, size_t size, HttpMessage& out);

// The host of a Host header value: without the port, IPv6 brackets removed, lower case.
std::string HttpHostDomain(const std::string& host);
// The path of a request target: origin-form up to '?' or '#'; absolute-form after the
// authority ("/" when empty); "" for authority-form (CONNECT) and asterisk-form.
std::string HttpTargetPath(const std::string& target);

}  // namespace vigil::network
