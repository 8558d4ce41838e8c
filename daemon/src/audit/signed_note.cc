#include "audit/signed_note.h"

#include <fstream>

#include <openssl/evp.h>

#include <cstdio>

#include "audit/digest.h"

namespace vigil::audit {
namespace {

constexpr std::string_view kDash = "\xE2\x80\x94 ";  // U+2014 EM DASH, then a space
constexpr uint8_t kAlgEd25519 = 0x01;
constexpr std::string_view kPrivatePrefix = "PRIVATE+KEY+";

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string Hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

std::optional<uint32_t> ParseHex8(std::string_view s) {
  if (s.size() != 8) return std::nullopt;
  uint32_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else return std::nullopt;
    v = v << 4 | static_cast<uint32_t>(d);
  }
  return v;
}

std::string KeyIdBytes(uint32_t id) {
  return {static_cast<char>(id >> 24), static_cast<char>(id >> 16), static_cast<char>(id >> 8),
          static_cast<char>(id)};
}

// "<name>+<hex8>+<base64(alg || key)>" → name, id, key; checks the id matches.
Result<std::tuple<std::string, uint32_t, std::string>> SplitKey(std::string_view text) {
  const size_t p1 = text.find('+');
  const size_t p2 = p1 == std::string_view::npos ? p1 : text.find('+', p1 + 1);
  if (p2 == std::string_view::npos) return Status::InvalidArgument("malformed key: want NAME+ID+KEY");
  std::string name(text.substr(0, p1));
  auto id = ParseHex8(text.substr(p1 + 1, p2 - p1 - 1));
  auto raw = FromBase64(text.substr(p2 + 1));
  if (!ValidKeyName(name) || !id || !raw) return Status::InvalidArgument("malformed key: want NAME+ID+KEY");
  if (raw->size() != 33 || static_cast<uint8_t>((*raw)[0]) != kAlgEd25519) {
    return Status::InvalidArgument("key is not an Ed25519 key");
  }
  return std::tuple{std::move(name), *id, raw->substr(1)};
}

// Well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int n;
    uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
    else return false;
    if (i + static_cast<size_t>(n) >= s.size()) return false;  // truncated sequence
    for (int k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
      if ((d & 0xC0) != 0x80) return false;
      cp = cp << 6 | (d & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += static_cast<size_t>(n) + 1;
  }
  return true;
}

}  // namespace

bool ValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (c <= ' ' || c == '+' || c == 0x7f) return false;
  }
  return true;
}

uint32_t Ed25519KeyId(std::string_view name, std::string_view public_key) {
  std::string buf(name);
  buf += '\n';
  buf += static_cast<char>(kAlgEd25519);
  buf += public_key;
  const Hash h = Sha256(buf);
  return static_cast<uint32_t>(h[0]) << 24 | static_cast<uint32_t>(h[1]) << 16 |
         static_cast<uint32_t>(h[2]) << 8 | h[3];
}

Result<Note> ParseNote(std::string_view note) {
  // The text ends at the last "\n\n"; signature lines follow, each ending in \n.
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) return Status::ParseError("signed note: no blank line before the signatures");
  Note out;
  out.text = std::string(note.substr(0, split + 1));
  for (unsigned char c : out.text) {
    if ((c < 0x20 && c != '\n') || c == 0x7f) return Status::ParseError("signed note: control character in the text");
  }
  if (!ValidUtf8(out.text)) return Status::ParseError("signed note: the text is not valid UTF-8");
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty()) return Status::ParseError("signed note: no signature");
  while (!sigs.empty()) {
    const size_t nl = sigs.find('\n');
    if (nl == std::string_view::npos) return Status::ParseError("signed note: signature line without newline");
    std::string_view line = sigs.substr(0, nl);
    sigs.remove_prefix(nl + 1);
    if (line.substr(0, kDash.size()) != kDash) return Status::ParseError("signed note: signature line must start with an em dash");
    line.remove_prefix(kDash.size());
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return Status::ParseError("signed note: malformed signature line");
    auto raw = FromBase64(line.substr(sp + 1));
    if (!raw || raw->size() < 5) return Status::ParseError("signed note: malformed signature");
    NoteSignature s;
    s.name = std::string(line.substr(0, sp));
    s.key_id = static_cast<uint32_t>(static_cast<uint8_t>((*raw)[0])) << 24 |
               static_cast<uint32_t>(static_cast<uint8_t>((*raw)[1])) << 16 |
               static_cast<uint32_t>(static_cast<uint8_t>((*raw)[2])) << 8 | static_cast<uint8_t>((*raw)[3]);
    s.signature = raw->substr(4);
    out.signatures.push_back(std::move(s));
  }
  return out;
}

// ---- NoteSigner -----------------------------------------------------------------------------

struct NoteSigner::Key {
  PkeyPtr pkey;
};

NoteSigner::NoteSigner(NoteSigner&&) noexcept = default;
NoteSigner& NoteSigner::operator=(NoteSigner&&) noexcept = default;
NoteSigner::~NoteSigner() = default;

Result<NoteSigner> NoteSigner::Generate(std::string_view name) {
  if (!ValidKeyName(name)) return Status::InvalidArgument("key name must be non-empty without spaces or '+'");
  EVP_PKEY* raw = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
  const bool ok = ctx != nullptr && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_keygen(ctx, &raw) == 1;
  EVP_PKEY_CTX_free(ctx);
  PkeyPtr pkey(raw);
  if (!ok) return Status::Internal("Ed25519 key generation failed");
  unsigned char seed[32];
  size_t len = sizeof seed;
  if (EVP_PKEY_get_raw_private_key(pkey.get(), seed, &len) != 1 || len != 32) {
    return Status::Internal("Ed25519 key export failed");
  }
  return FromPrivateKey(std::string(kPrivatePrefix) + std::string(name) + "+00000000+" +
                        Base64(std::string(1, static_cast<char>(kAlgEd25519)) +
                               std::string(reinterpret_cast<char*>(seed), 32)));
}

Result<NoteSigner> NoteSigner::FromPrivateKey(std::string_view encoded) {
  while (!encoded.empty() && (encoded.back() == '\n' || encoded.back() == '\r')) encoded.remove_suffix(1);
  if (encoded.substr(0, kPrivatePrefix.size()) != kPrivatePrefix) {
    return Status::InvalidArgument("not a signer key (want PRIVATE+KEY+NAME+ID+KEY)");
  }
  auto parts = SplitKey(encoded.substr(kPrivatePrefix.size()));
  if (!parts.ok()) return parts.status();
  auto& [name, id, seed] = *parts;
  NoteSigner s;
  s.key_ = std::make_unique<Key>();
  s.key_->pkey.reset(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                                  reinterpret_cast<const unsigned char*>(seed.data()), 32));
  if (!s.key_->pkey) return Status::InvalidArgument("invalid Ed25519 private key");
  unsigned char pub[32];
  size_t len = sizeof pub;
  if (EVP_PKEY_get_raw_public_key(s.key_->pkey.get(), pub, &len) != 1 || len != 32) {
    return Status::Internal("Ed25519 public key export failed");
  }
  s.name_ = name;
  s.seed_ = seed;
  s.public_key_.assign(reinterpret_cast<char*>(pub), 32);
  s.key_id_ = Ed25519KeyId(s.name_, s.public_key_);
  // Generate() passes id 0 because the id depends on the public key; a stored key must match.
  if (id != 0 && id != s.key_id_) return Status::InvalidArgument("signer key id does not match its key");
  return s;
}

std::string NoteSigner::PrivateKeyText() const {
  return std::string(kPrivatePrefix) + name_ + "+" + Hex8(key_id_) + "+" +
         Base64(std::string(1, static_cast<char>(kAlgEd25519)) + seed_);
}

std::string NoteSigner::VerifierKey() const {
  return name_ + "+" + Hex8(key_id_) + "+" + Base64(std::string(1, static_cast<char>(kAlgEd25519)) + public_key_);
}

Result<std::string> NoteSigner::Sign(std::string_view text) const {
  if (text.empty() || text.back() != '\n') return Status::InvalidArgument("note text must end with a newline");
  if (text.find("\n\n") != std::string_view::npos) return Status::InvalidArgument("note text must not contain blank lines");
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  unsigned char sig[64];
  size_t len = sizeof sig;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(text.data()), text.size()) != 1 ||
      len != 64) {
    return Status::Internal("Ed25519 signing failed");
  }
  std::string out(text);
  out += "\n";
  out += kDash;
  out += name_;
  out += ' ';
  out += Base64(KeyIdBytes(key_id_) + std::string(reinterpret_cast<char*>(sig), 64));
  out += '\n';
  return out;
}

// ---- NoteVerifier ---------------------------------------------------------------------------

Result<NoteVerifier> NoteVerifier::Parse(std::string_view verifier_key) {
  while (!verifier_key.empty() && (verifier_key.back() == '\n' || verifier_key.back() == '\r')) {
    verifier_key.remove_suffix(1);
  }
  auto parts = SplitKey(verifier_key);
  if (!parts.ok()) return parts.status();
  auto& [name, id, key] = *parts;
  if (Ed25519KeyId(name, key) != id) return Status::InvalidArgument("verifier key id does not match its key");
  NoteVerifier v;
  v.name_ = name;
  v.key_id_ = id;
  v.public_key_ = key;
  return v;
}

Status NoteVerifier::Verify(const Note& note) const {
  for (const NoteSignature& s : note.signatures) {
    if (s.name != name_ || s.key_id != key_id_) continue;
    PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                             reinterpret_cast<const unsigned char*>(public_key_.data()), 32));
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    const bool ok =
        pkey && ctx && s.signature.size() == 64 &&
        EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1 &&
        EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(s.signature.data()), 64,
                         reinterpret_cast<const unsigned char*>(note.text.data()), note.text.size()) == 1;
    if (ok) return Status::Ok();
    return Status::InvalidArgument("signature by " + name_ + " does not verify");
  }
  return Status::NotFound("no signature by key " + name_ + "+" + Hex8(key_id_));
}

Result<NoteVerifier> LoadVerifierKey(const std::string& path, std::string* text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read key file " + path);
  std::string key(4097, '\0');
  in.read(key.data(), static_cast<std::streamsize>(key.size()));
  key.resize(static_cast<size_t>(in.gcount()));
  if (key.size() > 4096) return Status::InvalidArgument(path + ": too large for a verifier key");
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  auto verifier = NoteVerifier::Parse(key);
  if (!verifier.ok()) return Status::InvalidArgument(path + ": " + verifier.status().message());
  if (text != nullptr) *text = key;
  return verifier;
}

}  // namespace vigil::audit
