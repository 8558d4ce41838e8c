// The syslog output against rsyslogd from Debian, started here as a child process with its
// own configuration: imudp and imtcp on free loopback ports and imuxsock on a socket in a
// temporary directory, each writing the raw messages it receives (%rawmsg%) to a file. The
// RFC 5424 message must arrive byte for byte over UDP, over TCP (octet-counting framing) and
// over a unix datagram socket (as /dev/log is), rsyslog's parser must read its header and
// structured data, and TCP must reconnect after rsyslogd restarts.
// Skipped only when rsyslogd is not installed (Makefile TEST_PKGS has it).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <csignal>
#include <fstream>
#include <optional>

#include "output_test_util.h"
#include "outputs/queued_output.h"
#include "outputs/rfc5424.h"
#include "support/test_support.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;
using testing::MakeMessage;
using testing::ReadFile;

constexpr const char* kRsyslogd = "/usr/sbin/rsyslogd";

int FreeUdpPort() {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0) {
    port = ntohs(sa.sin_port);
  }
  close(fd);
  return port;
}

bool TcpAccepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  close(fd);
  return ok;
}

bool UdpBound(int port) {
  char want[32];
  std::snprintf(want, sizeof want, "0100007F:%04X ", port);
  std::ifstream in("/proc/net/udp");
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(want) != std::string::npos) return true;
  }
  return false;
}

class RsyslogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kRsyslogd, X_OK) != 0) GTEST_SKIP() << kRsyslogd << " is not installed";
    udp_port_ = FreeUdpPort();
    tcp_port_ = testing::FreeTcpPort();
    ASSERT_GT(udp_port_, 0);
    ASSERT_GT(tcp_port_, 0);
    const std::string d = dir_.path();
    conf_ = dir_.Write("rsyslog.conf",
                       "global(workDirectory=\"" + d + "\" maxMessageSize=\"64k\")\n"
                       "module(load=\"imudp\")\n"
                       "module(load=\"imtcp\")\n"
                       "module(load=\"imuxsock\" SysSock.Use=\"off\")\n"
                       "template(name=\"raw\" type=\"string\" string=\"%rawmsg%\\n\")\n"
                       "template(name=\"parsed\" type=\"string\" string=\"%syslogfacility-text%|"
                       "%syslogseverity-text%|%hostname%|%app-name%|%procid%|%msgid%|"
                       "%structured-data%\\n\")\n"
                       "ruleset(name=\"udp\") { action(type=\"omfile\" file=\"" + d +
                       "/udp.log\" template=\"raw\")\n"
                       "  action(type=\"omfile\" file=\"" + d + "/parsed.log\" template=\"parsed\") }\n"
                       "ruleset(name=\"tcp\") { action(type=\"omfile\" file=\"" + d +
                       "/tcp.log\" template=\"raw\") }\n"
                       "ruleset(name=\"unix\") { action(type=\"omfile\" file=\"" + d +
                       "/unix.log\" template=\"raw\") }\n"
                       "input(type=\"imuxsock\" Socket=\"" + d + "/log.sock\" ruleset=\"unix\")\n"
                       "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" +
                       std::to_string(udp_port_) + "\" ruleset=\"udp\")\n"
                       "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" +
                       std::to_string(tcp_port_) + "\" ruleset=\"tcp\")\n");
    StartRsyslog();
  }

  void StartRsyslog() {
    rsyslog_.emplace(std::vector<std::string>{kRsyslogd, "-n", "-f", conf_, "-i",
                                              dir_.File("rsyslogd.pid")},
                     dir_.File("rsyslogd.err"));
    ASSERT_TRUE(Eventually(
        [&] {
          return TcpAccepts(tcp_port_) && UdpBound(udp_port_) &&
                 access(dir_.File("log.sock").c_str(), F_OK) == 0;
        },
        20s))
        << "rsyslogd did not start: " << ReadFile(dir_.File("rsyslogd.err"));
  }

  void StopRsyslog() {
    rsyslog_->Signal(SIGTERM);
    int code = 0;
    EXPECT_TRUE(rsyslog_->Wait(20s, &code));
    rsyslog_.reset();
  }

  std::unique_ptr<Output> MakeSyslog(const std::string& transport, int port) {
    return MakeSyslogAt(transport, "127.0.0.1:" + std::to_string(port));
  }
  std::unique_ptr<Output> MakeSyslogAt(const std::string& transport, const std::string& address) {
    OutputEntry e;
    e.node = YAML::Load("{type: syslog, name: siem, transport: " + transport +
                        ", address: '" + address +
                        "', facility: local4, app_name: vigil-test, timeout: 2s, "
                        "retry: {attempts: 50, initial: 50ms, max: 200ms}}");
    e.file = "test.yaml";
    Diagnostics d;
    auto r = CreateOutput(e, d);
    EXPECT_TRUE(r.ok()) << d.FormatText();
    if (!r.ok()) return nullptr;
    EXPECT_TRUE((*r)->Start().ok());
    return std::move(*r);
  }

  static std::string Expected(const AlertMessage& m) {
    return FormatRfc5424(m, SyslogHeader{20, "vigil-test", std::to_string(getpid())}) + "\n";
  }

  // Two alerts: a plain one, and one with characters that need SD escaping and UTF-8 text.
  static std::vector<std::shared_ptr<const AlertMessage>> Alerts() {
    auto odd = std::make_shared<AlertMessage>(
        *MakeMessage(2, AlertSeverity::kCritical, {"pci"}, R"(weird"rule]\id)"));
    odd->json = R"({"rule":{"id":"weird\"rule]\\id"},"user":{"name":"jürgen"}})";
    return {MakeMessage(1, AlertSeverity::kHigh), odd};
  }

  testing::TempDir dir_;
  std::string conf_;
  int udp_port_ = 0;
  int tcp_port_ = 0;
  std::optional<testing::Process> rsyslog_;
};

TEST_F(RsyslogTest, Rfc5424ArrivesIntactOverUdp) {
  auto out = MakeSyslog("udp", udp_port_);
  ASSERT_NE(out, nullptr);
  std::string want;
  for (const auto& m : Alerts()) {
    out->Submit(m);
    want += Expected(*m);
  }
  const std::string file = dir_.File("udp.log");
  EXPECT_TRUE(Eventually([&] { return ReadFile(file).size() >= want.size(); }, 20s));
  out->Stop(5s);
  EXPECT_EQ(ReadFile(file), want);
  EXPECT_EQ(dynamic_cast<QueuedOutput&>(*out).sent(), 2u);
  // rsyslog's RFC 5424 parser read every header field and the structured data.
  const std::string pid = std::to_string(getpid());
  const std::string parsed =
            "local4|err|ledger-01|vigil-test|" + pid +
                "|ssh_brute_force|[vigil@32473 id=\"1\" rule=\"ssh_brute_force\" "
                "severity=\"high\"]\n"
                "local4|crit|ledger-01|vigil-test|" + pid +
                "|weird\"rule]\\id|[vigil@32473 id=\"2\" rule=\"weird\\\"rule\\]\\\\id\" "
                "severity=\"critical\"]\n";
  EXPECT_TRUE(Eventually([&] { return ReadFile(dir_.File("parsed.log")).size() >= parsed.size(); }));
  EXPECT_EQ(ReadFile(dir_.File("parsed.log")), parsed);
}

TEST_F(RsyslogTest, Rfc5424ArrivesIntactOverAUnixSocket) {
  auto out = MakeSyslogAt("unix", dir_.File("log.sock"));
  ASSERT_NE(out, nullptr);
  std::string want;
  for (const auto& m : Alerts()) {
    out->Submit(m);
    want += Expected(*m);
  }
  const std::string file = dir_.File("unix.log");
  EXPECT_TRUE(Eventually([&] { return ReadFile(file).size() >= want.size(); }, 20s));
  out->Stop(5s);
  EXPECT_EQ(ReadFile(file), want);
  EXPECT_EQ(dynamic_cast<QueuedOutput&>(*out).sent(), 2u);
}

TEST_F(RsyslogTest, Rfc5424ArrivesIntactOverTcpAndSurvivesARestart) {
  auto out = MakeSyslog("tcp", tcp_port_);
  ASSERT_NE(out, nullptr);
  auto& q = dynamic_cast<QueuedOutput&>(*out);
  std::string want;
  for (const auto& m : Alerts()) {
    out->Submit(m);
    want += Expected(*m);
  }
  const std::string file = dir_.File("tcp.log");
  ASSERT_TRUE(Eventually([&] { return ReadFile(file).size() >= want.size(); }, 20s))
      << ReadFile(file);
  EXPECT_EQ(ReadFile(file), want);

  // The receiver restarts: the output notices the closed connection and connects again.
  StopRsyslog();
  StartRsyslog();
  auto third = MakeMessage(3, AlertSeverity::kLow);
  out->Submit(third);
  want += Expected(*third);
  EXPECT_TRUE(Eventually([&] { return ReadFile(file).size() >= want.size(); }, 20s));
  out->Stop(5s);
  EXPECT_EQ(ReadFile(file), want);
  EXPECT_EQ(q.sent(), 3u);
  EXPECT_EQ(q.dropped(DropReason::kRetriesExhausted), 0u);
}

}  // namespace
}  // namespace vigil
