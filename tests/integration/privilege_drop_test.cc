// `vigil run` started as root with `user: nobody` (daemon/src/privileges.h): the running
// process has nobody's uid and gid, exactly the capabilities its collectors declare, and
// live capture on the loopback interface still sees packets. Needs root (CI runs as root);
// skipped otherwise.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>

#include "support/test_support.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;
using testing::FreeTcpPort;
using testing::HttpGet;
using testing::Process;
using testing::ReadFile;
using testing::TempDir;
using testing::VigilBinary;

constexpr uint64_t kCapNetAdmin = uint64_t{1} << 12;
constexpr uint64_t kCapNetRaw = uint64_t{1} << 13;
constexpr uint64_t kCapSetPcap = uint64_t{1} << 8;
constexpr uint64_t kCapSetUidGid = (uint64_t{1} << 6) | (uint64_t{1} << 7);
constexpr uint64_t kCapDacReadSearch = uint64_t{1} << 2;

// The "Key:\tvalue" lines of /proc/PID/status (or of a task).
std::map<std::string, std::string> ProcStatus(const std::string& path) {
  std::map<std::string, std::string> out;
  std::istringstream in(ReadFile(path));
  std::string line;
  while (std::getline(in, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    size_t value = line.find_first_not_of(" \t", colon + 1);
    out[line.substr(0, colon)] = value == std::string::npos ? "" : line.substr(value);
  }
  return out;
}

uint64_t Hex(const std::string& s) { return std::strtoull(s.c_str(), nullptr, 16); }

// Whether this (root) process holds every capability of `mask`: a container's root may not.
bool Holds(uint64_t mask) {
  return (Hex(ProcStatus("/proc/self/status")["CapEff"]) & mask) == mask;
}

// The value of the first sample of /metrics that starts with `series`, or -1.
double Sample(const std::string& body, const std::string& series) {
  size_t at = body.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::strtod(body.c_str() + at + series.size() + 2, nullptr);
}

void SendUdp(int port, int count) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < count; ++i) {
    (void)sendto(fd, "vigil", 5, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  }
  close(fd);
}

class PrivilegeDropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root: it starts vigil as root to drop to nobody";
    passwd* pw = getpwnam("nobody");
    if (pw == nullptr) GTEST_SKIP() << "no user 'nobody' on this system";
    if (!Holds(kCapSetUidGid)) GTEST_SKIP() << "this root lacks CAP_SETUID/CAP_SETGID";
    nobody_uid_ = pw->pw_uid;
    nobody_gid_ = pw->pw_gid;
    // nobody must reach the state directory and the rule file below the temp dir.
    ASSERT_EQ(chmod(dir_.path().c_str(), 0755), 0);
  }

  std::string Config(const std::string& user, const std::string& collectors) {
    port_ = FreeTcpPort();
    dir_.Write("rules.yaml",
               "- rule: test.udp\n  name: UDP flow\n  severity: low\n"
               "  condition: network.transport = udp\n");
    return dir_.Write("vigil.yaml", "state_dir: " + dir_.File("state/sub") + "\nuser: " + user +
                                        "\nmetrics:\n  listen: 127.0.0.1:" +
                                        std::to_string(port_) + "\nrules:\n  paths: [" +
                                        dir_.File("rules.yaml") + "]\ncollectors:\n" + collectors);
  }

  TempDir dir_;
  uid_t nobody_uid_ = 0;
  gid_t nobody_gid_ = 0;
  int port_ = 0;
};

TEST_F(PrivilegeDropTest, RunsAsNobodyWithCaptureCapabilitiesOnlyAndStillCaptures) {
  if (!Holds(kCapNetRaw | kCapNetAdmin)) GTEST_SKIP() << "this root lacks CAP_NET_RAW/ADMIN";
  const std::string cfg =
      Config("nobody", "  - type: capture\n    name: lo\n    interface: lo\n    bpf: udp\n");
  Process vigil({VigilBinary(), "run", "-c", cfg}, dir_.File("vigil.err"));
  ASSERT_TRUE(Eventually([&] { return HttpGet(port_, "/healthz") == "ok\n"; }, 20s))
      << ReadFile(dir_.File("vigil.err"));

  const std::string proc = "/proc/" + std::to_string(vigil.pid());
  auto status = ProcStatus(proc + "/status");
  const std::string uid = std::to_string(nobody_uid_), gid = std::to_string(nobody_gid_);
  EXPECT_EQ(status["Uid"], uid + "\t" + uid + "\t" + uid + "\t" + uid);
  EXPECT_EQ(status["Gid"], gid + "\t" + gid + "\t" + gid + "\t" + gid);
  const uint64_t want = kCapNetRaw | kCapNetAdmin;
  EXPECT_EQ(Hex(status["CapEff"]), want) << status["CapEff"];
  EXPECT_EQ(Hex(status["CapPrm"]), want) << status["CapPrm"];
  EXPECT_EQ(Hex(status["CapInh"]), 0u) << status["CapInh"];
  EXPECT_EQ(Hex(status["CapAmb"]), 0u) << status["CapAmb"];
  EXPECT_EQ(status["NoNewPrivs"], "1");
  // The bounding set is cut when the starting process could (CAP_SETPCAP).
  if (Hex(ProcStatus("/proc/self/status")["CapEff"]) & kCapSetPcap) {
    EXPECT_EQ(Hex(status["CapBnd"]), want) << status["CapBnd"];
  }
  // Every thread (collector, engine, metrics server) started after the switch.
  size_t threads = 0;
  for (const auto& task : std::filesystem::directory_iterator(proc + "/task")) {
    auto t = ProcStatus(task.path().string() + "/status");
    EXPECT_EQ(t["Uid"], status["Uid"]) << task.path();
    EXPECT_EQ(Hex(t["CapEff"]), want) << task.path();
    ++threads;
  }
  EXPECT_GT(threads, 1u);

  // The state directory, created for nobody.
  struct stat st {};
  ASSERT_EQ(stat(dir_.File("state/sub").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, nobody_uid_);
  ASSERT_EQ(stat(dir_.File("state").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, nobody_uid_);

  // Capture still works: datagrams on lo show up as packets and flows.
  const int udp_port = FreeTcpPort();
  std::string body;
  EXPECT_TRUE(Eventually(
      [&] {
        SendUdp(udp_port, 5);
        body = HttpGet(port_, "/metrics");
        return Sample(body, "vigil_network_packets_total{collector=\"lo\",result=\"ip\"}") > 0 &&
               Sample(body, "vigil_network_flows_created_total{collector=\"lo\"}") > 0;
      },
      20s))
      << body << ReadFile(dir_.File("vigil.err"));
  EXPECT_NE(ReadFile(dir_.File("vigil.err")).find("dropped root: running as nobody"),
            std::string::npos)
      << ReadFile(dir_.File("vigil.err"));

  vigil.Signal(SIGTERM);
  int code = -1;
  EXPECT_TRUE(vigil.Wait(20s, &code));
  EXPECT_EQ(code, 0) << ReadFile(dir_.File("vigil.err"));
}

TEST_F(PrivilegeDropTest, FileCollectorsKeepDacReadSearchOnly) {
  if (!Holds(kCapDacReadSearch)) GTEST_SKIP() << "this root lacks CAP_DAC_READ_SEARCH";
  dir_.Write("events.jsonl", "{\"event\":{\"action\":\"x\"}}\n");
  const std::string cfg = Config("nobody", "  - type: jsonl\n    name: app\n    path: " +
                                               dir_.File("events.jsonl") +
                                               "\n    start_at: beginning\n");
  // A file only root may read: CAP_DAC_READ_SEARCH lets the collector read it anyway.
  ASSERT_EQ(chmod(dir_.File("events.jsonl").c_str(), 0600), 0);
  Process vigil({VigilBinary(), "run", "-c", cfg}, dir_.File("vigil.err"));
  ASSERT_TRUE(Eventually([&] { return HttpGet(port_, "/healthz") == "ok\n"; }, 20s))
      << ReadFile(dir_.File("vigil.err"));
  auto status = ProcStatus("/proc/" + std::to_string(vigil.pid()) + "/status");
  EXPECT_EQ(Hex(status["CapEff"]), kCapDacReadSearch) << status["CapEff"];
  EXPECT_EQ(Hex(status["CapPrm"]), kCapDacReadSearch) << status["CapPrm"];
  std::string body;
  EXPECT_TRUE(Eventually([&] {
    body = HttpGet(port_, "/metrics");
    return Sample(body, "vigil_collector_events_total{collector=\"app\"}") == 1;
  })) << body;
  vigil.Signal(SIGTERM);
  int code = -1;
  EXPECT_TRUE(vigil.Wait(20s, &code));
  EXPECT_EQ(code, 0) << ReadFile(dir_.File("vigil.err"));
}

TEST_F(PrivilegeDropTest, ExistingStateDirTheUserCannotWriteRefusesToStart) {
  const std::string cfg = Config("nobody", "  []\n");
  // Made by root beforehand: Vigil leaves its owner alone, and says what to do.
  std::filesystem::create_directories(dir_.File("state/sub"));
  ASSERT_EQ(chmod(dir_.File("state/sub").c_str(), 0755), 0);
  Process vigil({VigilBinary(), "run", "-c", cfg}, dir_.File("vigil.err"));
  int code = -1;
  ASSERT_TRUE(vigil.Wait(20s, &code));
  EXPECT_EQ(code, 1);
  EXPECT_NE(ReadFile(dir_.File("vigil.err")).find("is not writable by nobody"), std::string::npos)
      << ReadFile(dir_.File("vigil.err"));
  struct stat st {};
  ASSERT_EQ(stat(dir_.File("state/sub").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
}

TEST_F(PrivilegeDropTest, UnknownUserRefusesToStart) {
  const std::string cfg = Config("vigil-no-such-user", "  []\n");
  Process vigil({VigilBinary(), "run", "-c", cfg}, dir_.File("vigil.err"));
  int code = -1;
  ASSERT_TRUE(vigil.Wait(20s, &code));
  EXPECT_EQ(code, 1);
  EXPECT_NE(ReadFile(dir_.File("vigil.err")).find("vigil-no-such-user"), std::string::npos)
      << ReadFile(dir_.File("vigil.err"));
}

}  // namespace
}  // namespace vigil
