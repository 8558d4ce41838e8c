// The three inputs of the jsonl collector: a (followed) file, a FIFO, a unix socket.
// Files are read by the shared FileTailer (collectors/common/file_tailer.h).
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "jsonl_collector.h"
#include "vigil/log.h"

namespace vigil::jsonl {
namespace {

constexpr size_t kChunk = size_t{64} * 1024;
// Connections served at once; more wait in the listen backlog.
constexpr size_t kMaxClients = 64;
// Chunks read from one connection per poll round, so that one busy client cannot starve
// the others.
constexpr int kChunksPerRound = 16;

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

bool SameFile(const struct stat& a, const struct stat& b) {
  return a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

// Numbers the lines FileTailer hands on: from 1 where reading began, and again from 1
// whenever reading restarts (rotation, truncation).
class NumberedLines : public LineConsumer {
 public:
  NumberedLines(const std::string& path, LineHandler& handler) : path_(path), handler_(handler) {}

  bool Line(std::string_view line, uint64_t offset) override {
    (void)offset;
    return handler_.Line(path_, ++line_, line);
  }
  void Overlong(uint64_t offset) override {
    (void)offset;
    handler_.Overlong(path_, ++line_);
  }
  void NewFile(Timestamp mtime) override {
    (void)mtime;
    line_ = 0;
  }

 private:
  const std::string& path_;
  LineHandler& handler_;
  uint64_t line_ = 0;  // lines handed on (or skipped as overlong) since reading began
};

}  // namespace

Status ReadFile(const JsonlOptions& options, CollectorContext& ctx, LineHandler& handler) {
  FileTailer tailer(TailOptions{.path = options.path,
                                .start_at = options.start_at,
                                .follow = options.follow,
                                .poll_interval = options.poll_interval,
                                .inotify = options.inotify,
                                .max_line_bytes = options.max_line_bytes,
                                .state_file = options.state_file,
                                .log_name = options.instance});
  NumberedLines lines(options.path, handler);
  return tailer.Run(ctx, lines);
}

Status ReadFifo(const JsonlOptions& options, CollectorContext& ctx, LineHandler& handler) {
  const std::string& path = options.path;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return Status::FromErrno("stat " + path, errno);
  if (!S_ISFIFO(st.st_mode)) return Status::InvalidArgument(path + " is not a FIFO");

  LineSplitter lines(path, options.max_line_bytes);
  std::vector<char> buf(kChunk);
  while (!ctx.stopping()) {
    // Non-blocking, so that opening does not wait for a writer and poll() can also watch
    // the stop fd. A fresh open waits for the next writer; EOF means all writers left.
    Fd fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) return Status::FromErrno("open " + path, errno);
    bool eof = false;
    while (!eof) {
      pollfd fds[2] = {{fd.get(), POLLIN, 0}, {ctx.stop_fd(), POLLIN, 0}};
      if (poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno("poll " + path, errno);
      }
      if (ctx.stopping()) return Status::Ok();
      if (fds[0].revents == 0) continue;
      while (true) {
        const ssize_t n = read(fd.get(), buf.data(), buf.size());
        if (n > 0) {
          if (!lines.Feed(std::string_view(buf.data(), static_cast<size_t>(n)), handler) ||
              ctx.stopping()) {
            return Status::Ok();
          }
          continue;
        }
        if (n == 0) {
          eof = true;
        } else if (errno == EINTR) {
          continue;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
          return Status::FromErrno("read " + path, errno);
        }
        break;
      }
    }
    // Every writer closed: what they left unfinished is a last line.
    if (!lines.Finish(handler) || !options.follow) break;
  }
  return Status::Ok();
}

namespace {

struct Client {
  Client(Fd f, LineSplitter l) : fd(std::move(f)), lines(std::move(l)) {}
  Fd fd;
  LineSplitter lines;
};

enum class ClientState { kOpen, kClosed, kStop };

ClientState ReadClient(Client& client, std::vector<char>& buf, LineHandler& handler,
                       CollectorContext& ctx) {
  for (int i = 0; i < kChunksPerRound; ++i) {
    const ssize_t n = read(client.fd.get(), buf.data(), buf.size());
    if (n > 0) {
      if (!client.lines.Feed(std::string_view(buf.data(), static_cast<size_t>(n)), handler)) {
        return ClientState::kStop;
      }
      continue;
    }
    if (n == 0) return client.lines.Finish(handler) ? ClientState::kClosed : ClientState::kStop;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return ClientState::kOpen;
    ctx.CountError();  // e.g. reset by the peer; an unfinished line is lost with it
    return ClientState::kClosed;
  }
  return ClientState::kOpen;
}

// Removes the socket file on exit, unless it has been replaced by someone else's socket.
class SocketFile {
 public:
  explicit SocketFile(const std::string& path) : path_(path) {
    if (lstat(path_.c_str(), &st_) != 0) path_.clear();
  }
  ~SocketFile() {
    struct stat now {};
    if (!path_.empty() && lstat(path_.c_str(), &now) == 0 && SameFile(now, st_)) {
      unlink(path_.c_str());
    }
  }
  SocketFile(const SocketFile&) = delete;
  SocketFile& operator=(const SocketFile&) = delete;

 private:
  std::string path_;
  struct stat st_ {};
};

}  // namespace

Status ServeUnixSocket(const JsonlOptions& options, CollectorContext& ctx, LineHandler& handler) {
  const std::string& path = options.path;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    return Status::InvalidArgument("unix socket path too long: " + path);
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return Status::FailedPrecondition(path + " exists and is not a socket; not replacing it");
    }
    if (unlink(path.c_str()) != 0) return Status::FromErrno("remove stale socket " + path, errno);
  }
  Fd listener(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!listener.valid()) return Status::FromErrno("socket", errno);
  if (bind(listener.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    return Status::FromErrno("bind " + path, errno);
  }
  SocketFile socket_file(path);
  if (chmod(path.c_str(), 0660) != 0) return Status::FromErrno("chmod " + path, errno);
  if (listen(listener.get(), SOMAXCONN) != 0) return Status::FromErrno("listen " + path, errno);

  std::vector<std::unique_ptr<Client>> clients;
  std::vector<pollfd> fds;
  std::vector<char> buf(kChunk);
  uint64_t accepted = 0;
  while (!ctx.stopping()) {
    // Not following: serve until the clients that came have all gone.
    if (!options.follow && accepted > 0 && clients.empty()) break;
    fds.clear();
    fds.push_back({ctx.stop_fd(), POLLIN, 0});
    fds.push_back({clients.size() < kMaxClients ? listener.get() : -1, POLLIN, 0});
    for (const auto& c : clients) fds.push_back({c->fd.get(), POLLIN, 0});
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("poll " + path, errno);
    }
    if (ctx.stopping()) break;
    for (size_t i = 0; i < clients.size(); ++i) {
      if (fds[i + 2].revents == 0) continue;
      const ClientState state = ReadClient(*clients[i], buf, handler, ctx);
      if (state == ClientState::kStop) return Status::Ok();
      if (state == ClientState::kClosed) clients[i].reset();
    }
    std::erase(clients, nullptr);
    if ((fds[1].revents & POLLIN) == 0) continue;
    while (clients.size() < kMaxClients) {
      Fd conn(accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (!conn.valid()) {
        const int err = errno;
        if (err == EINTR || err == ECONNABORTED) continue;
        if (err != EAGAIN && err != EWOULDBLOCK) {
          ctx.CountError();
          VIGIL_LOG(kWarning) << "jsonl: " << Status::FromErrno("accept on " + path, err).message();
          ctx.SleepFor(options.poll_interval);  // e.g. out of fds: do not spin
        }
        break;
      }
      ++accepted;
      clients.push_back(std::make_unique<Client>(
          std::move(conn),
          LineSplitter(path + "#" + std::to_string(accepted), options.max_line_bytes)));
    }
  }
  return Status::Ok();
}

}  // namespace vigil::jsonl
