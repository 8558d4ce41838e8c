// The webhook output against a real HTTP receiver on 127.0.0.1 (a small server in this
// file): eventual delivery after 503 and 429 answers with the back-off observed, rejection
// of a 4xx, and a receiver that never answers (timeouts, then retries_exhausted).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <mutex>
#include <thread>

#include "output_test_util.h"
#include "outputs/queued_output.h"
#include "support/test_support.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::MakeMessage;

// Answers `statuses[i]` to the i-th request, 200 after them; with `silent`, reads requests
// and never answers (the connections stay open until the receiver is destroyed).
class HttpReceiver {
 public:
  struct Request {
    Clock::time_point at;
    std::string head;  // request line and headers
    std::string body;
  };

  explicit HttpReceiver(std::vector<int> statuses, bool silent = false)
      : statuses_(std::move(statuses)), silent_(silent) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
        listen(listen_fd_, 16) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&sa), &len) != 0 ||
        pipe2(stop_, O_CLOEXEC) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
      return;
    }
    port_ = ntohs(sa.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~HttpReceiver() {
    if (thread_.joinable()) {
      [[maybe_unused]] ssize_t n = write(stop_[1], "x", 1);
      thread_.join();
    }
    for (int fd : open_) close(fd);
    close(listen_fd_);
    close(stop_[0]);
    close(stop_[1]);
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<Request> requests() {
    std::lock_guard l(mu_);
    return requests_;
  }

 private:
  void Run() {
    for (;;) {
      pollfd p[2] = {{listen_fd_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
      if (poll(p, 2, -1) < 0) continue;
      if (p[1].revents != 0) return;
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      Serve(fd);
    }
  }
  // Reads one request (headers and Content-Length body) within 5 s; answers it.
  void Serve(int fd) {
    std::string data;
    size_t head_end = std::string::npos, need = 0;
    const auto deadline = Clock::now() + 5s;
    while (Clock::now() < deadline) {
      if (head_end != std::string::npos && data.size() >= head_end + 4 + need) break;
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      data.append(buf, static_cast<size_t>(n));
      if (head_end == std::string::npos && (head_end = data.find("\r\n\r\n")) != std::string::npos) {
        std::string lower = data.substr(0, head_end);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t cl = lower.find("content-length:");
        if (cl != std::string::npos) need = std::strtoul(lower.c_str() + cl + 15, nullptr, 10);
      }
    }
    int status = 200;
    {
      std::lock_guard l(mu_);
      if (head_end != std::string::npos) {
        requests_.push_back({Clock::now(), data.substr(0, head_end), data.substr(head_end + 4)});
        if (requests_.size() <= statuses_.size()) status = statuses_[requests_.size() - 1];
      }
    }
    if (silent_) {
      open_.push_back(fd);
      return;
    }
    std::string reply = "HTTP/1.1 " + std::to_string(status) +
                        " Test\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    [[maybe_unused]] ssize_t n = write(fd, reply.data(), reply.size());
    close(fd);
  }

  std::vector<int> statuses_;
  bool silent_;
  int listen_fd_ = -1;
  int stop_[2] = {-1, -1};
  int port_ = 0;
  std::thread thread_;
  std::vector<int> open_;  // receiver thread only
  std::mutex mu_;
  std::vector<Request> requests_;
};

// A webhook output built from config text, as `vigil run` builds it.
std::unique_ptr<Output> MakeWebhook(const std::string& yaml) {
  OutputEntry e;
  e.type = "webhook";
  e.node = YAML::Load(yaml);
  e.file = "test.yaml";
  Diagnostics d;
  auto r = CreateOutput(e, d);
  EXPECT_TRUE(r.ok()) << d.FormatText();
  if (!r.ok()) return nullptr;
  EXPECT_TRUE((*r)->Start().ok());
  return std::move(*r);
}

class WebhookOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                          "all_proxy"}) {
      unsetenv(v);
    }
  }
};

TEST_F(WebhookOutputTest, RetriesWithBackOffUntilDelivered) {
  HttpReceiver rx({503, 429});
  auto out = MakeWebhook("{type: webhook, name: hook, url: '" + rx.url() +
                         "', timeout: 5s, retry: {attempts: 5, initial: 100ms, max: 1s}, "
                         "headers: {X-Team: soc}}");
  ASSERT_NE(out, nullptr);
  auto& q = dynamic_cast<QueuedOutput&>(*out);
  auto m = MakeMessage(11);
  out->Submit(m);
  ASSERT_TRUE(testing::Eventually([&] { return q.sent() == 1; }, 20s));
  out->Stop(5s);
  EXPECT_EQ(q.retries(), 2u);
  EXPECT_TRUE(q.up());
  auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 3u);
  for (const auto& r : reqs) {
    EXPECT_EQ(r.body, m->json);
    EXPECT_EQ(r.head.rfind("POST /hook HTTP/1.1\r\n", 0), 0u) << r.head;
    EXPECT_NE(r.head.find("\r\nContent-Type: application/json"), std::string::npos) << r.head;
    EXPECT_NE(r.head.find("\r\nX-Team: soc"), std::string::npos) << r.head;
  }
  // The back-off doubles: at least 100 ms, then at least 200 ms between attempts.
  EXPECT_GE(reqs[1].at - reqs[0].at, 100ms);
  EXPECT_GE(reqs[2].at - reqs[1].at, 200ms);
  for (size_t i = 0; i < kDropReasons; ++i) EXPECT_EQ(q.dropped(static_cast<DropReason>(i)), 0u);
}

TEST_F(WebhookOutputTest, AClientErrorIsRejectedNotRetried) {
  HttpReceiver rx({400});
  auto out = MakeWebhook("{type: webhook, url: '" + rx.url() +
                         "', retry: {attempts: 5, initial: 10ms}}");
  ASSERT_NE(out, nullptr);
  auto& q = dynamic_cast<QueuedOutput&>(*out);
  out->Submit(MakeMessage(1));
  out->Submit(MakeMessage(2));
  ASSERT_TRUE(testing::Eventually([&] { return q.sent() == 1; }, 20s));
  out->Stop(5s);
  EXPECT_EQ(q.dropped(DropReason::kRejected), 1u);
  EXPECT_EQ(q.retries(), 0u);
  auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].body, MakeMessage(2)->json);
}

TEST_F(WebhookOutputTest, AReceiverThatNeverAnswersTimesOut) {
  HttpReceiver rx({}, /*silent=*/true);
  auto out = MakeWebhook("{type: webhook, url: '" + rx.url() +
                         "', timeout: 300ms, retry: {attempts: 2, initial: 10ms}}");
  ASSERT_NE(out, nullptr);
  auto& q = dynamic_cast<QueuedOutput&>(*out);
  out->Submit(MakeMessage(1));
  ASSERT_TRUE(testing::Eventually(
      [&] { return q.dropped(DropReason::kRetriesExhausted) == 1; }, 20s));
  out->Stop(5s);
  EXPECT_EQ(q.retries(), 1u);
  EXPECT_EQ(q.sent(), 0u);
  EXPECT_FALSE(q.up());
  // The request arrived twice and was never answered.
  EXPECT_TRUE(testing::Eventually([&] { return rx.requests().size() == 2; }));
  EXPECT_EQ(rx.requests().size(), 2u);
}

TEST_F(WebhookOutputTest, NobodyListeningIsRetriedThenCounted) {
  const int port = testing::FreeTcpPort();
  auto out = MakeWebhook("{type: webhook, url: 'http://127.0.0.1:" + std::to_string(port) +
                         "/', timeout: 2s, retry: {attempts: 3, initial: 10ms}}");
  ASSERT_NE(out, nullptr);
  auto& q = dynamic_cast<QueuedOutput&>(*out);
  out->Submit(MakeMessage(1));
  out->Stop(20s);
  EXPECT_EQ(q.retries(), 2u);
  EXPECT_EQ(q.dropped(DropReason::kRetriesExhausted), 1u);
}

}  // namespace
}  // namespace vigil
