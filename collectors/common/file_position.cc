#include "file_position.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace vigil {
namespace {

std::string Hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

Status MakeDirs(const std::string& dir) {
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i < dir.size() && dir[i] != '/') continue;
    const std::string part = dir.substr(0, i);
    if (mkdir(part.c_str(), 0750) != 0 && errno != EEXIST) return Status::FromErrno("mkdir " + part, errno);
  }
  return Status::Ok();
}

}  // namespace

Status Fingerprint(int fd, uint32_t limit, uint64_t* hash, uint32_t* bytes) {
  unsigned char buf[kFingerprintBytes];
  const size_t want = limit < kFingerprintBytes ? limit : kFingerprintBytes;
  size_t got = 0;
  while (got < want) {
    const ssize_t n = pread(fd, buf + got, want - got, static_cast<off_t>(got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("read", errno);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < got; ++i) {
    h ^= buf[i];
    h *= 1099511628211ull;
  }
  *hash = h;
  *bytes = static_cast<uint32_t>(got);
  return Status::Ok();
}

Result<std::optional<FilePosition>> LoadFilePosition(const std::string& state_file) {
  std::FILE* f = std::fopen(state_file.c_str(), "rb");
  if (f == nullptr) {
    if (errno == ENOENT) return std::optional<FilePosition>();
    return Status::FromErrno("open " + state_file, errno);
  }
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0 && text.size() < (1 << 16)) text.append(buf, n);
  std::fclose(f);
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::ParseError(state_file + ": not a JSON object");
  FilePosition p;
  try {
    p.device = j.at("device").get<uint64_t>();
    p.inode = j.at("inode").get<uint64_t>();
    p.offset = j.at("offset").get<uint64_t>();
    p.fingerprint = std::stoull(j.at("fingerprint").get<std::string>(), nullptr, 16);
    p.fingerprint_bytes = j.at("fingerprint_bytes").get<uint32_t>();
  } catch (const std::exception& e) {
    return Status::ParseError(state_file + ": " + e.what());
  }
  if (p.fingerprint_bytes > kFingerprintBytes) return Status::ParseError(state_file + ": bad fingerprint_bytes");
  return std::optional<FilePosition>(p);
}

Status WriteFileAtomic(const std::string& path, std::string_view text) {
  const size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) VIGIL_RETURN_IF_ERROR(MakeDirs(path.substr(0, slash)));
  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return Status::FromErrno("open " + tmp, errno);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      close(fd);
      return Status::FromErrno("write " + tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) {
    const int err = errno;
    close(fd);
    return Status::FromErrno("fsync " + tmp, err);
  }
  if (close(fd) != 0) return Status::FromErrno("close " + tmp, errno);
  if (rename(tmp.c_str(), path.c_str()) != 0) return Status::FromErrno("rename " + tmp, errno);
  return Status::Ok();
}

Status SaveFilePosition(const std::string& state_file, const std::string& log_path,
                        const FilePosition& p) {
  nlohmann::json j = {{"path", log_path},           {"device", p.device},
                      {"inode", p.inode},           {"offset", p.offset},
                      {"fingerprint", Hex(p.fingerprint)}, {"fingerprint_bytes", p.fingerprint_bytes}};
  return WriteFileAtomic(state_file, j.dump() + "\n");
}

}  // namespace vigil
