// Implementation of the shared test helpers declared in test_support.h.
//
// Everything here is for tests: failures to set up (no temp dir, no fork) abort the test run
// with a message instead of returning errors, because a test cannot do anything useful
// without them.
#include "support/test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace vigil::testing {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "test_support: %s: %s\n", what.c_str(), std::strerror(errno));
  std::abort();
}

// argv as the char* array execv wants; the strings stay owned by `args`.
std::vector<char*> ExecArgs(const std::vector<std::string>& args) {
  std::vector<char*> out;
  out.reserve(args.size() + 1);
  for (const auto& a : args) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

void CloseFd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

// In the child after fork(): only async-signal-safe calls until execv.
[[noreturn]] void ChildExecFailed(const char* what) {
  const char* msg = "test_support: child: ";
  (void)!::write(STDERR_FILENO, msg, std::strlen(msg));
  (void)!::write(STDERR_FILENO, what, std::strlen(what));
  (void)!::write(STDERR_FILENO, "\n", 1);
  ::_exit(127);
}

void DecodeStatus(int status, int* exit_code, int* sig) {
  if (WIFEXITED(status)) {
    if (exit_code != nullptr) *exit_code = WEXITSTATUS(status);
    if (sig != nullptr) *sig = 0;
  } else if (WIFSIGNALED(status)) {
    if (exit_code != nullptr) *exit_code = -1;
    if (sig != nullptr) *sig = WTERMSIG(status);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------
// TempDir

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = (base != nullptr && *base != '\0') ? base : "/tmp";
  tmpl += "/vigil-test-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) Die("mkdtemp " + tmpl);
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);  // best effort; never throw from a destructor
}

std::string TempDir::Write(const std::string& name, const std::string& content) const {
  std::string full = File(name);
  std::filesystem::path parent = std::filesystem::path(full).parent_path();
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  std::ofstream out(full, std::ios::binary | std::ios::trunc);
  if (!out) Die("open " + full);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) Die("write " + full);
  return full;
}

// ---------------------------------------------------------------------------------------
// Paths and files

std::string SourceDir() { return VIGIL_SOURCE_DIR; }
std::string SharedDir() { return VIGIL_SHARED_DIR; }
std::string VigilBinary() { return VIGIL_BINARY; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---------------------------------------------------------------------------------------
// Run: fork/execv with three pipes, pumped with poll() so neither side can fill a pipe and
// wait on the other.

ProcessResult RunCommand(const std::vector<std::string>& argv, const std::string& input,
                         std::chrono::milliseconds timeout) {
  ProcessResult result;
  if (argv.empty()) {
    result.err = "test_support: Run with empty argv";
    return result;
  }
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0 ||
      ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    Die("pipe2");
  }
  std::vector<char*> args = ExecArgs(argv);

  pid_t pid = ::fork();
  if (pid < 0) Die("fork");
  if (pid == 0) {
    if (::dup2(in_pipe[0], STDIN_FILENO) < 0 || ::dup2(out_pipe[1], STDOUT_FILENO) < 0 ||
        ::dup2(err_pipe[1], STDERR_FILENO) < 0) {
      ChildExecFailed("dup2");
    }
    // The O_CLOEXEC originals close on exec; the dup2'd copies do not carry the flag.
    ::signal(SIGPIPE, SIG_DFL);
    ::execvp(args[0], args.data());  // PATH lookup for tools like promtool
    ChildExecFailed(args[0]);
  }

  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  int in_fd = in_pipe[1];
  int out_fd = out_pipe[0];
  int err_fd = err_pipe[0];
  // Writing to a child that exited early must not kill the test with SIGPIPE.
  ::fcntl(in_fd, F_SETFL, ::fcntl(in_fd, F_GETFL) | O_NONBLOCK);
  struct sigaction ignore {};
  struct sigaction old_pipe {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &old_pipe);

  size_t written = 0;
  if (input.empty()) CloseFd(in_fd);

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  while (out_fd >= 0 || err_fd >= 0) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      result.timed_out = true;
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
    pollfd fds[3];
    int n = 0;
    int out_idx = -1, err_idx = -1, in_idx = -1;
    if (out_fd >= 0) {
      out_idx = n;
      fds[n++] = {out_fd, POLLIN, 0};
    }
    if (err_fd >= 0) {
      err_idx = n;
      fds[n++] = {err_fd, POLLIN, 0};
    }
    if (in_fd >= 0) {
      in_idx = n;
      fds[n++] = {in_fd, POLLOUT, 0};
    }
    int rc = ::poll(fds, static_cast<nfds_t>(n), static_cast<int>(left));
    if (rc < 0) {
      if (errno == EINTR) continue;
      Die("poll");
    }
    auto drain = [&](int idx, int& fd, std::string& sink) {
      if (idx < 0 || fds[idx].revents == 0) return;
      ssize_t got = ::read(fd, buf, sizeof(buf));
      if (got > 0) {
        sink.append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        CloseFd(fd);
      }
    };
    drain(out_idx, out_fd, result.out);
    drain(err_idx, err_fd, result.err);
    if (in_idx >= 0 && fds[in_idx].revents != 0) {
      if ((fds[in_idx].revents & (POLLERR | POLLHUP)) != 0) {
        CloseFd(in_fd);
      } else {
        ssize_t put = ::write(in_fd, input.data() + written, input.size() - written);
        if (put > 0) {
          written += static_cast<size_t>(put);
          if (written == input.size()) CloseFd(in_fd);
        } else if (put < 0 && errno != EINTR && errno != EAGAIN) {
          CloseFd(in_fd);  // EPIPE: the child does not read its input
        }
      }
    }
  }
  CloseFd(in_fd);
  CloseFd(out_fd);
  CloseFd(err_fd);

  int status = 0;
  if (result.timed_out) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  } else {
    // Both output pipes are closed, so the child is exiting (or closed them itself and
    // lingers). Keep honouring the timeout while it finishes.
    for (;;) {
      pid_t r = ::waitpid(pid, &status, WNOHANG);
      if (r == pid) break;
      if (r < 0 && errno != EINTR) Die("waitpid");
      if (std::chrono::steady_clock::now() >= deadline) {
        result.timed_out = true;
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  ::sigaction(SIGPIPE, &old_pipe, nullptr);
  DecodeStatus(status, &result.exit_code, &result.signal);
  return result;
}

// ---------------------------------------------------------------------------------------
// Process

Process::Process(const std::vector<std::string>& argv, const std::string& stderr_path,
                 const std::string& stdout_path) {
  if (argv.empty()) {
    errno = EINVAL;
    Die("Process with empty argv");
  }
  std::vector<char*> args = ExecArgs(argv);
  // Open in the parent so that a bad path fails the test here, with a message.
  int err_fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (err_fd < 0) Die("open " + stderr_path);
  int out_fd = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0) Die("open " + stdout_path);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) Die("open /dev/null");

  pid_ = ::fork();
  if (pid_ < 0) Die("fork");
  if (pid_ == 0) {
    if (::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(out_fd, STDOUT_FILENO) < 0 ||
        ::dup2(err_fd, STDERR_FILENO) < 0) {
      ChildExecFailed("dup2");
    }
    ::signal(SIGPIPE, SIG_DFL);
    ::execvp(args[0], args.data());  // PATH lookup for tools like promtool
    ChildExecFailed(args[0]);
  }
  ::close(err_fd);
  ::close(out_fd);
  ::close(null_fd);
}

Process::~Process() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }
}

void Process::Signal(int sig) const {
  if (pid_ > 0 && !reaped_) ::kill(pid_, sig);
}

bool Process::Wait(std::chrono::milliseconds timeout, int* exit_code, int* signal) {
  if (reaped_) return true;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      DecodeStatus(status, exit_code, signal);
      return true;
    }
    if (r < 0 && errno != EINTR) return false;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace vigil::testing

namespace vigil::testing {

int FreeTcpPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string HttpGet(int port, const std::string& path, int* status, const std::string& headers,
                    std::string* response_headers) {
  if (status) *status = 0;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n" + headers + "\r\n";
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    close(fd);
    return "";
  }
  std::string resp;
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) resp.append(buf, static_cast<size_t>(n));
  close(fd);
  size_t sp = resp.find(' ');
  if (status && sp != std::string::npos) *status = std::atoi(resp.c_str() + sp + 1);
  size_t body = resp.find("\r\n\r\n");
  if (response_headers) *response_headers = resp.substr(0, body);
  return body == std::string::npos ? "" : resp.substr(body + 4);
}

}  // namespace vigil::testing
