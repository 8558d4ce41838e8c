// TLS hello parser for the network collector (application metadata), with the JA3, JA3S
// and JA4 fingerprints.
//
// Parses the first handshake message of one TCP segment's payload when it is a ClientHello
// or a ServerHello in a TLS record (RFC 8446 4.1.2/4.1.3, RFC 5246 7.4.1). There is no TCP
// reassembly: a hello that does not fit in the segment's captured bytes, or that spans more
// than one record, is kTruncated (counted as not inspected), never guessed.
//
// The input is hostile: every length (record, handshake, session id, cipher list,
// compression methods, extensions block, each extension and the lists inside SNI, ALPN,
// supported groups, point formats, signature algorithms, supported versions) is checked
// against its enclosing one; lists are cut at kMaxTls* entries and the SNI and ALPN values at
// kMaxTlsName bytes. Strings are printable ASCII: bytes outside 0x21..0x7E become '?'.
//
// Threading: pure functions, no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vigil::network {

inline constexpr size_t kMaxTlsCiphers = 256;      // entries kept per list
inline constexpr size_t kMaxTlsExtensions = 64;
inline constexpr size_t kMaxTlsListEntries = 64;  // groups, point formats, sig algs, ALPN, versions
inline constexpr size_t kMaxTlsName = 255;         // SNI host name, each ALPN value

struct TlsHello {
  bool client = true;             // ClientHello; false: ServerHello
  uint16_t record_version = 0;    // the record layer's version
  uint16_t legacy_version = 0;    // the hello's version field
  // Client: every version in supported_versions (GREASE included, in order), else empty.
  // Server: the selected version when the extension is present, else empty.
  std::vector<uint16_t> supported_versions;
  std::vector<uint16_t> ciphers;     // client: offered, in order; server: the one chosen
  std::vector<uint16_t> extensions;  // types, in order (GREASE included)
  std::string server_name;           // SNI host_name (client), "" when absent
  bool has_sni = false;
  std::vector<std::string> alpn;     // client: offered; server: the selected one
  // The first and last raw bytes of the first ALPN value (JA4 looks at them).
  uint8_t alpn_first = 0, alpn_last = 0;
  // Non-GREASE ciphers and extensions in the whole hello, also past the kept lists' bounds.
  size_t cipher_count = 0;
  size_t extension_count = 0;
  std::vector<uint16_t> groups;         // supported_groups (10)
  std::vector<uint8_t> point_formats;   // ec_point_formats (11)
  std::vector<uint16_t> sig_algs;       // signature_algorithms (13)
};

enum class TlsParse : uint8_t {
  kOk,
  kNotTls,     // not a TLS handshake record starting with a hello (other traffic, or a
               // later handshake message): nothing to count
  kMalformed,  // a TLS handshake record whose hello lengths do not hold
  kTruncated,  // the hello continues past the segment (or past its record)
};

// Parses the hello at the start of `data` (a TCP payload).
TlsParse ParseTlsHello(const uint8_t* data, size_t size, TlsHello& out);

// GREASE values (RFC 8701): 0x0a0a, 0x1a1a, ..., 0xfafa.
inline bool IsGrease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

// The version a hello stands for: client, the highest non-GREASE supported_versions entry
// or else the legacy version; server, the selected version or else the legacy version.
uint16_t TlsEffectiveVersion(const TlsHello& hello);
// "1.0".."1.3" for TLS, "3.0"/"2.0" for SSL, else the value in hex ("0x7f1c").
std::string TlsVersionNumber(uint16_t version);
// "tls" or "ssl".
std::string TlsVersionProtocol(uint16_t version);
// IANA name of a cipher suite when known ("TLS_AES_128_GCM_SHA256"), else "0x1301" form.
std::string TlsCipherName(uint16_t cipher);

// The JA3 string of a ClientHello ("771,4865-4866,0-23,29-23,0"; GREASE removed) and its
// MD5 in lower-case hex.
std::string Ja3String(const TlsHello& client);
// JA3S of a ServerHello: "version,cipher,extensions".
std::string Ja3sString(const TlsHello& server);
std::string Md5Hex(const std::string& text);
// FoxIO JA4 of a ClientHello over TCP ("t13d1516h2_8daaf6152771_b186095e22b6").
std::string Ja4(const TlsHello& client);

}  // namespace vigil::network
