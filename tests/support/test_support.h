// Helpers shared by the test suites: temporary directories, paths to the source tree and
// ../shared, and a subprocess runner for end-to-end tests of the real `vigil` binary.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace vigil::testing {

// A fresh directory under $TMPDIR, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // path()/name
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to path()/name and returns the full path.
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

std::string SourceDir();  // the repository root
std::string SharedDir();  // ../shared beside the repository
std::string VigilBinary();
std::string ReadFile(const std::string& path);

struct ProcessResult {
  int exit_code = -1;    // -1 when killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
  bool timed_out = false;
};

// Runs argv[0] with arguments, feeding `input` on stdin, and waits (killing it after
// `timeout`).
ProcessResult RunCommand(const std::vector<std::string>& argv, const std::string& input = "",
                  std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A child process running in the background with stderr captured to a file.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::string& stderr_path,
          const std::string& stdout_path = "/dev/null");
  ~Process();  // SIGKILLs the child if it is still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  pid_t pid() const { return pid_; }
  void Signal(int sig) const;
  // Waits for exit; false on timeout. Fills exit_code/signal.
  bool Wait(std::chrono::milliseconds timeout, int* exit_code, int* signal = nullptr);

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
int FreeTcpPort();

// GET http://127.0.0.1:port/path with a plain socket; the body, or "" on failure.
// `status` receives the HTTP status code (0 when no answer); `headers` are added to the request
// ("Name: value\r\n" each); `response_headers` receives the response's header block.
std::string HttpGet(int port, const std::string& path, int* status = nullptr, const std::string& headers = "",
                    std::string* response_headers = nullptr);

// Polls `pred` every 20 ms until true or `timeout`; returns the last result.
template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace vigil::testing

#include <thread>

template <typename Pred>
bool vigil::testing::Eventually(Pred pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}
