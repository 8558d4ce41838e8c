// Ed25519 signed notes in the C2SP signed-note form (https://c2sp.org/signed-note), as
// used for transparency-log checkpoints (https://c2sp.org/tlog-checkpoint):
//
//   <text: one or more lines, each ending in \n>
//   <empty line>
//   — <key name> <base64(4-byte key id || 64-byte Ed25519 signature)>
//
// The key id is the first four bytes of SHA-256(name || "\n" || 0x01 || public key). Keys
// are written the same way as Go's golang.org/x/mod/sumdb/note, so auditors can check
// Vigil's checkpoints with standard tools:
//   verifier: <name>+<8 hex key id>+<base64(0x01 || 32-byte public key)>
//   signer:   PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x01 || 32-byte seed)>
//
// Threading: a NoteSigner or NoteVerifier may be used from one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/status.h"

namespace vigil::audit {

struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  std::string signature;  // raw bytes (64 for Ed25519)
};

struct Note {
  std::string text;  // the signed text, ending in \n
  std::vector<NoteSignature> signatures;
};

// Splits a signed note into text and signature lines; checks only the form.
Result<Note> ParseNote(std::string_view note);

class NoteSigner {
 public:
  NoteSigner(NoteSigner&&) noexcept;
  NoteSigner& operator=(NoteSigner&&) noexcept;
  ~NoteSigner();

  // A new random key named `name` (no spaces, no '+').
  static Result<NoteSigner> Generate(std::string_view name);
  // From the "PRIVATE+KEY+..." text form.
  static Result<NoteSigner> FromPrivateKey(std::string_view encoded);

  std::string PrivateKeyText() const;
  std::string VerifierKey() const;
  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }

  // `text` with this key's signature appended: a complete signed note.
  Result<std::string> Sign(std::string_view text) const;

 private:
  NoteSigner() = default;
  struct Key;
  std::unique_ptr<Key> key_;
  std::string name_;
  std::string public_key_;  // 32 raw bytes
  std::string seed_;        // 32 raw bytes
  uint32_t key_id_ = 0;
};

class NoteVerifier {
 public:
  // From the "<name>+<hex id>+<base64>" form.
  static Result<NoteVerifier> Parse(std::string_view verifier_key);

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  // Ok when `note` carries a valid signature by this key over its text; otherwise says
  // whether the signature is missing or does not verify.
  Status Verify(const Note& note) const;

 private:
  std::string name_;
  std::string public_key_;
  uint32_t key_id_ = 0;
};

// Reads a verifier key file (the "<name>+<hex id>+<base64>" line, as `audit.key.pub` holds
// it; at most 4 KiB, trailing line breaks ignored). `text` receives the key as written.
Result<NoteVerifier> LoadVerifierKey(const std::string& path, std::string* text = nullptr);

// The key id of an Ed25519 key (first four bytes of SHA-256(name \n 0x01 key), big endian).
uint32_t Ed25519KeyId(std::string_view name, std::string_view public_key);
bool ValidKeyName(std::string_view name);

}  // namespace vigil::audit
