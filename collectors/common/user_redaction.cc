#include "user_redaction.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

#include "vigil/log.h"

namespace vigil {
namespace {

constexpr size_t kMaxAccountName = 32;

UserRedaction::Key RandomKey() {
  UserRedaction::Key key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    // OpenSSL's generator failing is not something to run on: the key would be guessable.
    VIGIL_LOG(kError) << "redaction: no random bytes from OpenSSL; placeholders of unknown "
                         "user names use a fixed key and can be tested against guesses";
    key.fill(0);
  }
  return key;
}

// HMAC-SHA256 of `data` under `key` into `out` (32 bytes). HMAC()'s one-shot form fetches
// the algorithm and builds a context on every call (about 1,400 instructions, most of a
// redacted event's cost); each thread keeps one context instead, keyed again only when the
// key changes (one per host in practice).
void HmacSha256(const UserRedaction::Key& key, std::string_view data, unsigned char* out) {
  struct Context {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX* ctx = mac != nullptr ? EVP_MAC_CTX_new(mac) : nullptr;
    UserRedaction::Key key{};
    bool keyed = false;
    ~Context() {
      EVP_MAC_CTX_free(ctx);
      EVP_MAC_free(mac);
    }
  };
  thread_local Context c;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  size_t len = 0;
  if (c.ctx != nullptr) {
    bool ready;
    if (c.keyed && c.key == key) {
      ready = EVP_MAC_init(c.ctx, nullptr, 0, nullptr) == 1;  // the same key again
    } else {
      char digest[] = "SHA256";
      const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                   OSSL_PARAM_construct_end()};
      ready = EVP_MAC_init(c.ctx, key.data(), key.size(), params) == 1;
      c.key = key;
      c.keyed = ready;
    }
    if (ready && EVP_MAC_update(c.ctx, bytes, data.size()) == 1 && EVP_MAC_final(c.ctx, out, &len, 32) == 1 &&
        len == 32) {
      return;
    }
    c.keyed = false;
  }
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes, data.size(), out, &mac_len);
}

const UserRedaction::Key& ProcessKey() {
  static const UserRedaction::Key key = RandomKey();
  return key;
}

bool ReadKey(int fd, UserRedaction::Key* key) {
  size_t got = 0;
  while (got < key->size()) {
    const ssize_t n = ::read(fd, key->data() + got, key->size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  char extra;
  return ::read(fd, &extra, 1) == 0;
}

// Loads <dir>/redaction.key, creating it when it does not exist. False on any failure.
bool LoadOrCreateKey(const std::string& dir, bool create, UserRedaction::Key* key) {
  const std::string path = dir + "/redaction.key";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0) {
    struct stat st {};
    const bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ReadKey(fd, key);
    ::close(fd);
    if (!ok) VIGIL_LOG(kWarning) << "redaction: " << path << " is not a 32-byte key file";
    return ok;
  }
  if (errno != ENOENT || !create) return false;
  *key = RandomKey();
  const std::string tmp = path + ".new";
  fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return false;
  const bool written = ::write(fd, key->data(), key->size()) == static_cast<ssize_t>(key->size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  // link() rather than rename(): a key another collector created meanwhile wins, and both
  // then read the same one.
  if (!written || (::link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST)) {
    ::unlink(tmp.c_str());
    return false;
  }
  ::unlink(tmp.c_str());
  fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  const bool ok = ReadKey(fd, key);
  ::close(fd);
  return ok;
}

}  // namespace

bool NameMayBeSecret(std::string_view name) {
  if (name.empty()) return false;  // nothing to hide
  std::string_view body = name;
  if (body.size() > 1 && body.back() == '$') body.remove_suffix(1);
  if (body.size() > kMaxAccountName) return true;
  bool lower = false, upper = false, digit = false;
  for (const char c : body) {
    if (c >= 'a' && c <= 'z') {
      lower = true;
    } else if (c >= 'A' && c <= 'Z') {
      upper = true;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c != '.' && c != '_' && c != '-' && c != '@') {
      return true;
    }
  }
  return lower && upper && digit;
}

UserRedaction UserRedaction::ForStateDir(RedactMode mode, const std::string& state_dir,
                                         bool create) {
  if (mode == RedactMode::kNone) return UserRedaction(mode, Key{});
  // One key per state directory for the whole process, so that every collector (and a
  // reload) gives the same placeholder for the same name.
  static std::mutex mu;
  static std::string loaded_dir;
  static Key loaded_key{};
  std::lock_guard<std::mutex> lock(mu);
  if (!state_dir.empty() && state_dir == loaded_dir) return UserRedaction(mode, loaded_key);
  Key key{};
  if (!state_dir.empty() && LoadOrCreateKey(state_dir, create, &key)) {
    loaded_dir = state_dir;
    loaded_key = key;
    return UserRedaction(mode, key);
  }
  if (!state_dir.empty() && create) {
    VIGIL_LOG(kWarning) << "redaction: no key in " << state_dir
                        << "; placeholders of unknown user names change at each start";
  }
  return UserRedaction(mode, ProcessKey());
}

const UserRedaction& UserRedaction::Default() {
  static const UserRedaction redaction(RedactMode::kSuspect, ProcessKey());
  return redaction;
}

bool UserRedaction::Redacts(std::string_view name) const {
  switch (mode_) {
    case RedactMode::kNone: return false;
    case RedactMode::kAll: return !name.empty();
    case RedactMode::kSuspect: break;
  }
  return NameMayBeSecret(name);
}

std::string UserRedaction::Placeholder(std::string_view name) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  HmacSha256(key_, name, mac);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "<redacted:";
  for (size_t i = 0; i < 8; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  out += '>';
  return out;
}

std::string UserRedaction::Shown(std::string_view name, bool* redacted) const {
  if (!Redacts(name)) return std::string(name);
  *redacted = true;
  return Placeholder(name);
}

UserRedaction ReadUserRedaction(ConfigSection& section, const CollectorEnv& env) {
  const std::string mode = section.Enum("redact_unknown_users", "suspect", {"suspect", "all", "none"});
  return UserRedaction::ForStateDir(mode == "all"    ? RedactMode::kAll
                                    : mode == "none" ? RedactMode::kNone
                                                     : RedactMode::kSuspect,
                                    env.state_dir, env.mode == RunMode::kLive);
}

}  // namespace vigil
