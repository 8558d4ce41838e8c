#include "tls_parser.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>

namespace vigil::network {
namespace {

constexpr uint8_t kRecordHandshake = 0x16;
constexpr uint8_t kClientHello = 1;
constexpr uint8_t kServerHello = 2;
constexpr size_t kMaxRecord = 16384 + 2048;  // TLSCiphertext bound (RFC 5246 6.2.3)

constexpr uint16_t kExtServerName = 0;
constexpr uint16_t kExtGroups = 10;
constexpr uint16_t kExtPointFormats = 11;
constexpr uint16_t kExtSigAlgs = 13;
constexpr uint16_t kExtAlpn = 16;
constexpr uint16_t kExtSupportedVersions = 43;

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// A bounded reader over [p, end): every Take checks what is left.
struct Reader {
  const uint8_t* p;
  const uint8_t* end;
  size_t left() const { return static_cast<size_t>(end - p); }
  bool U8(uint8_t* v) {
    if (left() < 1) return false;
    *v = *p++;
    return true;
  }
  bool U16(uint16_t* v) {
    if (left() < 2) return false;
    *v = Be16(p);
    p += 2;
    return true;
  }
  // A sub-reader over the next `n` bytes.
  bool Take(size_t n, Reader* sub) {
    if (left() < n) return false;
    *sub = Reader{p, p + n};
    p += n;
    return true;
  }
};

std::string Printable(const uint8_t* p, size_t n) {
  n = std::min(n, kMaxTlsName);
  std::string s(reinterpret_cast<const char*>(p), n);
  for (char& c : s) {
    if (c < 0x21 || c > 0x7E) c = '?';
  }
  return s;
}

// A list of 16-bit values with a `prefix`-byte length (must be even) filling `r`.
bool U16List(Reader r, int prefix, size_t max, std::vector<uint16_t>* out) {
  size_t len = 0;
  if (prefix == 1) {
    uint8_t l;
    if (!r.U8(&l)) return false;
    len = l;
  } else {
    uint16_t l;
    if (!r.U16(&l)) return false;
    len = l;
  }
  Reader list;
  if (len % 2 != 0 || !r.Take(len, &list)) return false;
  while (list.left() >= 2) {
    uint16_t v;
    list.U16(&v);
    if (out->size() < max) out->push_back(v);
  }
  return true;
}

bool ParseSni(Reader r, TlsHello& out) {
  uint16_t len;
  Reader list;
  if (!r.U16(&len) || !r.Take(len, &list)) return false;
  while (list.left() > 0) {
    uint8_t type;
    uint16_t n;
    Reader name;
    if (!list.U8(&type) || !list.U16(&n) || !list.Take(n, &name)) return false;
    if (type == 0 && !out.has_sni) {
      out.has_sni = true;
      out.server_name = Printable(name.p, name.left());
    }
  }
  return true;
}

bool ParseAlpn(Reader r, TlsHello& out) {
  uint16_t len;
  Reader list;
  if (!r.U16(&len) || !r.Take(len, &list)) return false;
  while (list.left() > 0) {
    uint8_t n;
    Reader proto;
    if (!list.U8(&n) || n == 0 || !list.Take(n, &proto)) return false;
    if (out.alpn.empty()) {
      out.alpn_first = proto.p[0];
      out.alpn_last = proto.p[n - 1];
    }
    if (out.alpn.size() < kMaxTlsListEntries) out.alpn.push_back(Printable(proto.p, n));
  }
  return true;
}

bool ParseExtension(uint16_t type, Reader body, TlsHello& out) {
  switch (type) {
    case kExtServerName:
      // A server echoes an empty server_name extension.
      return body.left() == 0 ? true : ParseSni(body, out);
    case kExtAlpn: return ParseAlpn(body, out);
    case kExtGroups: return U16List(body, 2, kMaxTlsListEntries, &out.groups);
    case kExtSigAlgs: return U16List(body, 2, kMaxTlsListEntries, &out.sig_algs);
    case kExtPointFormats: {
      uint8_t n;
      Reader list;
      if (!body.U8(&n) || !body.Take(n, &list)) return false;
      for (size_t i = 0; i < n && out.point_formats.size() < kMaxTlsListEntries; ++i) {
        out.point_formats.push_back(list.p[i]);
      }
      return true;
    }
    case kExtSupportedVersions:
      if (out.client) return U16List(body, 1, kMaxTlsListEntries, &out.supported_versions);
      if (body.left() != 2) return false;
      out.supported_versions.push_back(Be16(body.p));
      return true;
    default: return true;
  }
}

bool ParseExtensions(Reader& r, TlsHello& out) {
  if (r.left() == 0) return true;  // no extensions block (SSLv3-style hello)
  uint16_t len;
  Reader block;
  if (!r.U16(&len) || !r.Take(len, &block)) return false;
  while (block.left() > 0) {
    uint16_t type, n;
    Reader body;
    if (!block.U16(&type) || !block.U16(&n) || !block.Take(n, &body)) return false;
    if (!IsGrease(type)) ++out.extension_count;
    if (out.extensions.size() >= kMaxTlsExtensions) continue;  // counted as cut, still walked
    out.extensions.push_back(type);
    if (!ParseExtension(type, body, out)) return false;
  }
  return true;
}

bool ParseBody(Reader r, TlsHello& out) {
  uint8_t sid_len;
  Reader skip;
  if (!r.U16(&out.legacy_version) || !r.Take(32, &skip) || !r.U8(&sid_len) || sid_len > 32 ||
      !r.Take(sid_len, &skip)) {
    return false;
  }
  if (out.client) {
    uint16_t cs_len;
    Reader cs;
    if (!r.U16(&cs_len) || cs_len % 2 != 0 || !r.Take(cs_len, &cs)) return false;
    while (cs.left() >= 2) {
      uint16_t c;
      cs.U16(&c);
      if (!IsGrease(c)) ++out.cipher_count;
      if (out.ciphers.size() < kMaxTlsCiphers) out.ciphers.push_back(c);
    }
    uint8_t comp_len;
    if (!r.U8(&comp_len) || comp_len == 0 || !r.Take(comp_len, &skip)) return false;
  } else {
    uint16_t cipher;
    uint8_t comp;
    if (!r.U16(&cipher) || !r.U8(&comp)) return false;
    out.ciphers.push_back(cipher);
  }
  return ParseExtensions(r, out);
}

std::string Hex4(uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04x", v);
  return buf;
}

std::string DigestHex(const EVP_MD* md, const std::string& text, size_t hex_chars) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &len, md, nullptr) != 1) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len && out.size() < hex_chars; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  out.resize(std::min(out.size(), hex_chars));
  return out;
}

template <typename T>
void AppendDecimal(std::string* s, const std::vector<T>& values, bool drop_grease) {
  bool first = true;
  for (T v : values) {
    if (drop_grease && IsGrease(v)) continue;
    if (!first) s->push_back('-');
    *s += std::to_string(v);
    first = false;
  }
}

std::string TwoDigits(size_t n) {
  n = std::min<size_t>(n, 99);
  return std::string{static_cast<char>('0' + n / 10), static_cast<char>('0' + n % 10)};
}

bool Alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

}  // namespace

TlsParse ParseTlsHello(const uint8_t* data, size_t size, TlsHello& out) {
  out = TlsHello{};
  if (data == nullptr || size < 1 || data[0] != kRecordHandshake) return TlsParse::kNotTls;
  if (size >= 2 && data[1] != 0x03) return TlsParse::kNotTls;
  if (size >= 3 && data[2] > 0x04) return TlsParse::kNotTls;
  if (size < 6) return TlsParse::kTruncated;  // record header and handshake type needed
  if (data[5] != kClientHello && data[5] != kServerHello) return TlsParse::kNotTls;
  out.client = data[5] == kClientHello;
  out.record_version = Be16(data + 1);
  const size_t record_len = Be16(data + 3);
  if (record_len < 4 || record_len > kMaxRecord) return TlsParse::kMalformed;
  if (size < 9) return TlsParse::kTruncated;
  const size_t hs_len = size_t{data[6]} << 16 | size_t{data[7]} << 8 | data[8];
  // The hello must lie in this record (no reassembly across records) and in this segment.
  if (hs_len > kMaxRecord) return TlsParse::kMalformed;
  if (4 + hs_len > record_len || 9 + hs_len > size) return TlsParse::kTruncated;
  if (!ParseBody(Reader{data + 9, data + 9 + hs_len}, out)) {
    out = TlsHello{};
    return TlsParse::kMalformed;
  }
  return TlsParse::kOk;
}

uint16_t TlsEffectiveVersion(const TlsHello& h) {
  uint16_t best = 0;
  for (uint16_t v : h.supported_versions) {
    if (!IsGrease(v) && v > best) best = v;
  }
  return best != 0 ? best : h.legacy_version;
}

std::string TlsVersionNumber(uint16_t v) {
  switch (v) {
    case 0x0200: return "2.0";
    case 0x0300: return "3.0";
    case 0x0301: return "1.0";
    case 0x0302: return "1.1";
    case 0x0303: return "1.2";
    case 0x0304: return "1.3";
    default: return "0x" + Hex4(v);
  }
}

std::string TlsVersionProtocol(uint16_t v) {
  return v == 0x0200 || v == 0x0300 ? "ssl" : "tls";
}

std::string TlsCipherName(uint16_t c) {
  switch (c) {
    case 0x0000: return "TLS_NULL_WITH_NULL_NULL";
    case 0x0004: return "TLS_RSA_WITH_RC4_128_MD5";
    case 0x0005: return "TLS_RSA_WITH_RC4_128_SHA";
    case 0x000a: return "TLS_RSA_WITH_3DES_EDE_CBC_SHA";
    case 0x002f: return "TLS_RSA_WITH_AES_128_CBC_SHA";
    case 0x0033: return "TLS_DHE_RSA_WITH_AES_128_CBC_SHA";
    case 0x0035: return "TLS_RSA_WITH_AES_256_CBC_SHA";
    case 0x0039: return "TLS_DHE_RSA_WITH_AES_256_CBC_SHA";
    case 0x003c: return "TLS_RSA_WITH_AES_128_CBC_SHA256";
    case 0x003d: return "TLS_RSA_WITH_AES_256_CBC_SHA256";
    case 0x009c: return "TLS_RSA_WITH_AES_128_GCM_SHA256";
    case 0x009d: return "TLS_RSA_WITH_AES_256_GCM_SHA384";
    case 0x009e: return "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256";
    case 0x009f: return "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384";
    case 0x00ff: return "TLS_EMPTY_RENEGOTIATION_INFO_SCSV";
    case 0x1301: return "TLS_AES_128_GCM_SHA256";
    case 0x1302: return "TLS_AES_256_GCM_SHA384";
    case 0x1303: return "TLS_CHACHA20_POLY1305_SHA256";
    case 0x1304: return "TLS_AES_128_CCM_SHA256";
    case 0x5600: return "TLS_FALLBACK_SCSV";
    case 0xc007: return "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA";
    case 0xc009: return "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA";
    case 0xc00a: return "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA";
    case 0xc011: return "TLS_ECDHE_RSA_WITH_RC4_128_SHA";
    case 0xc012: return "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA";
    case 0xc013: return "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA";
    case 0xc014: return "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA";
    case 0xc023: return "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256";
    case 0xc024: return "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384";
    case 0xc027: return "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256";
    case 0xc028: return "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384";
    case 0xc02b: return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    case 0xc02c: return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    case 0xc02f: return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    case 0xc030: return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
    case 0xcca8: return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
    case 0xcca9: return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
    case 0xccaa: return "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
    default: return "0x" + Hex4(c);
  }
}

std::string Ja3String(const TlsHello& h) {
  std::string s = std::to_string(h.legacy_version) + ",";
  AppendDecimal(&s, h.ciphers, true);
  s += ",";
  AppendDecimal(&s, h.extensions, true);
  s += ",";
  AppendDecimal(&s, h.groups, true);
  s += ",";
  AppendDecimal(&s, h.point_formats, false);
  return s;
}

std::string Ja3sString(const TlsHello& h) {
  std::string s = std::to_string(h.legacy_version) + ",";
  AppendDecimal(&s, h.ciphers, true);
  s += ",";
  AppendDecimal(&s, h.extensions, true);
  return s;
}

std::string Md5Hex(const std::string& text) { return DigestHex(EVP_md5(), text, 32); }

std::string Ja4(const TlsHello& h) {
  std::string a = "t";
  switch (TlsEffectiveVersion(h)) {
    case 0x0304: a += "13"; break;
    case 0x0303: a += "12"; break;
    case 0x0302: a += "11"; break;
    case 0x0301: a += "10"; break;
    case 0x0300: a += "s3"; break;
    case 0x0200: a += "s2"; break;
    case 0xfeff: a += "d1"; break;
    case 0xfefd: a += "d2"; break;
    case 0xfefc: a += "d3"; break;
    default: a += "00"; break;
  }
  a += h.has_sni ? "d" : "i";
  std::vector<uint16_t> ciphers, exts;
  for (uint16_t c : h.ciphers) {
    if (!IsGrease(c)) ciphers.push_back(c);
  }
  for (uint16_t e : h.extensions) {
    if (!IsGrease(e) && e != kExtServerName && e != kExtAlpn) exts.push_back(e);
  }
  a += TwoDigits(h.cipher_count);
  a += TwoDigits(h.extension_count);
  if (h.alpn.empty()) {
    a += "00";
  } else {
    const uint8_t f = h.alpn_first;
    const uint8_t l = h.alpn_last;
    if (Alnum(f) && Alnum(l)) {
      a.push_back(static_cast<char>(f));
      a.push_back(static_cast<char>(l));
    } else {
      // The first and last characters of the value's hex form.
      static constexpr char kHex[] = "0123456789abcdef";
      a.push_back(kHex[f >> 4]);
      a.push_back(kHex[l & 0xF]);
    }
  }
  std::sort(ciphers.begin(), ciphers.end());
  std::sort(exts.begin(), exts.end());
  auto join = [](const std::vector<uint16_t>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0) s.push_back(',');
      s += Hex4(v[i]);
    }
    return s;
  };
  const std::string b = ciphers.empty() ? "000000000000" : DigestHex(EVP_sha256(), join(ciphers), 12);
  std::vector<uint16_t> sigs;
  for (uint16_t s : h.sig_algs) {
    if (!IsGrease(s)) sigs.push_back(s);
  }
  std::string c_text = join(exts);
  if (!sigs.empty()) c_text += "_" + join(sigs);
  const std::string c = exts.empty() ? "000000000000" : DigestHex(EVP_sha256(), c_text, 12);
  return a + "_" + b + "_" + c;
}

}  // namespace vigil::network
