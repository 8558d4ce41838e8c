#include "file_hasher.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

namespace vigil::retention {
namespace {

constexpr size_t kBlock = size_t{1} << 20;

std::string Hex(const unsigned char* d, unsigned n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(n * 2, '0');
  for (unsigned i = 0; i < n; ++i) {
    s[2 * i] = kDigits[d[i] >> 4];
    s[2 * i + 1] = kDigits[d[i] & 15];
  }
  return s;
}

std::string Final(EVP_MD_CTX* c) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_DigestFinal_ex(c, md, &n);
  return Hex(md, n);
}

}  // namespace

struct FileHasher::Contexts {
  EVP_MD_CTX* full = EVP_MD_CTX_new();
  EVP_MD_CTX* prefix = EVP_MD_CTX_new();
  ~Contexts() {
    EVP_MD_CTX_free(full);
    EVP_MD_CTX_free(prefix);
  }
};

FileHasher::FileHasher() : buffer_(kBlock), ctx_(new Contexts) {}
FileHasher::~FileHasher() { delete ctx_; }

std::optional<FileHash> FileHasher::Hash(const std::string& path, uint64_t dev, uint64_t ino,
                                         uint64_t prefix_len, HashError* error) {
  *error = HashError::kNone;
  int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME | O_NONBLOCK);
  if (fd < 0 && errno == EPERM) fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    *error = HashError::kOpen;
    return std::nullopt;
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_dev) != dev ||
      static_cast<uint64_t>(st.st_ino) != ino) {
    close(fd);
    *error = HashError::kChanged;
    return std::nullopt;
  }
  EVP_DigestInit_ex(ctx_->full, EVP_sha256(), nullptr);
  FileHash out;
  bool prefix_done = prefix_len == 0;
  for (;;) {
    const ssize_t n = read(fd, buffer_.data(), buffer_.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      close(fd);
      *error = HashError::kRead;
      return std::nullopt;
    }
    if (n == 0) break;
    size_t len = static_cast<size_t>(n);
    if (!prefix_done && out.bytes + len >= prefix_len) {
      const size_t head = static_cast<size_t>(prefix_len - out.bytes);
      EVP_DigestUpdate(ctx_->full, buffer_.data(), head);
      EVP_MD_CTX_copy_ex(ctx_->prefix, ctx_->full);
      out.prefix = Final(ctx_->prefix);
      prefix_done = true;
      EVP_DigestUpdate(ctx_->full, buffer_.data() + head, len - head);
    } else {
      EVP_DigestUpdate(ctx_->full, buffer_.data(), len);
    }
    out.bytes += len;
  }
  close(fd);
  out.sha256 = Final(ctx_->full);
  return out;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  return Hex(md, n);
}

}  // namespace vigil::retention
