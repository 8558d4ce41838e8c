// FlowTable: Zeek-style conn_state and history, timeouts, reuse, eviction, flush order.
#include "flow_table.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include <string>
#include <vector>

#include "packet_builder.h"

namespace vigil::network {
namespace {

using namespace testing;  // NOLINT: the builders

struct Ended {
  Flow flow;
  EndReason reason;
  std::string state() const { return std::string(ConnState(flow)); }
  std::string history() const { return std::string(flow.History()); }
};

constexpr int64_t kSec = 1'000'000'000;

class FlowTableTest : public ::testing::Test {
 public:  // the ConnStates cases call the helpers
  void Make(FlowTableOptions options = {}) {
    table_ = std::make_unique<FlowTable>(options, [this](const Flow& f, EndReason r) {
      ended_.push_back({f, r});
    });
  }
  void Feed(const Bytes& ip_packet, double seconds) {
    DecodedPacket p;
    ASSERT_EQ(DecodePacket(LinkType::kRaw, ip_packet.data(), ip_packet.size(), ip_packet.size(), p),
              DecodeOutcome::kIp);
    table_->Add(p, static_cast<int64_t>(seconds * kSec), static_cast<uint32_t>(ip_packet.size()));
  }
  // TCP from the client (10.0.0.1:40000) or the server (10.0.0.2:80).
  void Client(uint8_t flags, double t, const std::string& data = "") {
    Feed(Ipv4("10.0.0.1", "10.0.0.2", kProtoTcp, Tcp(40000, 80, flags, Text(data))), t);
  }
  void Server(uint8_t flags, double t, const std::string& data = "") {
    Feed(Ipv4("10.0.0.2", "10.0.0.1", kProtoTcp, Tcp(80, 40000, flags, Text(data))), t);
  }
  void Handshake(double t) {
    Client(kTcpSyn, t);
    Server(kTcpSyn | kTcpAck, t + 0.01);
    Client(kTcpAck, t + 0.02);
  }
  const Ended& Only() {
    table_->Flush();
    EXPECT_EQ(ended_.size(), 1u);
    if (ended_.empty()) ended_.push_back({});
    return ended_[0];
  }

  std::unique_ptr<FlowTable> table_;
  std::vector<Ended> ended_;
};

TEST_F(FlowTableTest, NormalConnectionIsSF) {
  Make();
  Handshake(1);
  Client(kTcpPsh | kTcpAck, 1.1, "GET / HTTP/1.0\r\n\r\n");
  Server(kTcpAck, 1.2);
  Server(kTcpPsh | kTcpAck, 1.3, "HTTP/1.0 200 OK\r\n\r\n");
  Client(kTcpFin | kTcpAck, 1.4);
  Server(kTcpFin | kTcpAck, 1.5);
  Client(kTcpAck, 1.6);
  const Ended& e = Only();
  EXPECT_EQ(e.state(), "SF");
  EXPECT_EQ(e.history(), "ShADadFf");
  EXPECT_EQ(e.flow.orig.packets, 5u);
  EXPECT_EQ(e.flow.resp.packets, 4u);
  EXPECT_EQ(e.flow.orig_port, 40000);
  EXPECT_EQ(e.flow.resp_port, 80);
  EXPECT_EQ(e.flow.last_ns - e.flow.first_ns, static_cast<int64_t>(0.6 * kSec));
  EXPECT_EQ(e.reason, EndReason::kEndOfCapture);
}

TEST_F(FlowTableTest, ConnStates) {
  struct Case {
    const char* state;
    std::function<void(FlowTableTest&)> packets;
  };
  const std::vector<Case> cases = {
      {"S0", [](FlowTableTest& t) { t.Client(kTcpSyn, 1); t.Client(kTcpSyn, 2); }},
      {"REJ", [](FlowTableTest& t) { t.Client(kTcpSyn, 1); t.Server(kTcpRst | kTcpAck, 1.1); }},
      {"S1", [](FlowTableTest& t) { t.Handshake(1); }},
      {"RSTO", [](FlowTableTest& t) { t.Handshake(1); t.Client(kTcpRst, 2); }},
      {"RSTR", [](FlowTableTest& t) { t.Handshake(1); t.Server(kTcpRst, 2); }},
      {"S2", [](FlowTableTest& t) { t.Handshake(1); t.Client(kTcpFin | kTcpAck, 2); }},
      {"S3", [](FlowTableTest& t) { t.Handshake(1); t.Server(kTcpFin | kTcpAck, 2); }},
      {"SH", [](FlowTableTest& t) { t.Client(kTcpSyn, 1); t.Client(kTcpFin, 2); }},
      {"RSTOS0", [](FlowTableTest& t) { t.Client(kTcpSyn, 1); t.Client(kTcpRst, 2); }},
      {"OTH", [](FlowTableTest& t) { t.Client(kTcpAck, 1, "x"); t.Server(kTcpAck, 2); }},
      {"RSTRH", [](FlowTableTest& t) { t.Server(kTcpSyn | kTcpAck, 1); t.Server(kTcpRst, 2); }},
  };
  for (const Case& c : cases) {
    ended_.clear();
    Make();
    c.packets(*this);
    EXPECT_EQ(Only().state(), c.state);
  }
}

TEST_F(FlowTableTest, SynAckFirstTurnsTheFlowAround) {
  Make();
  Server(kTcpSyn | kTcpAck, 1);
  Client(kTcpAck, 1.1);
  const Ended& e = Only();
  EXPECT_TRUE(e.flow.flipped);
  EXPECT_EQ(e.flow.orig_port, 40000);  // the client is the originator
  EXPECT_EQ(e.history(), "^hA");
}

TEST_F(FlowTableTest, UdpAndIcmp) {
  Make();
  Feed(Ipv4("10.0.0.1", "10.0.0.53", kProtoUdp, Udp(5000, 53, Text("q"))), 1);
  Feed(Ipv4("10.0.0.53", "10.0.0.1", kProtoUdp, Udp(53, 5000, Text("a"))), 1.1);
  Feed(Ipv4("10.0.0.1", "10.0.0.9", kProtoUdp, Udp(5001, 514, Text("log"))), 1.2);
  Feed(Ipv4("10.0.0.1", "10.0.0.2", kProtoIcmp, Icmp(8, 0)), 2);
  Feed(Ipv4("10.0.0.2", "10.0.0.1", kProtoIcmp, Icmp(0, 0)), 2.1);
  table_->Flush();
  ASSERT_EQ(ended_.size(), 3u);
  EXPECT_EQ(ended_[0].state(), "SF");
  EXPECT_EQ(ended_[0].history(), "Dd");
  EXPECT_EQ(ended_[1].state(), "S0");
  EXPECT_EQ(ended_[2].state(), "SF");  // echo request and reply are one flow
  EXPECT_EQ(ended_[2].flow.resp.packets, 1u);
}

TEST_F(FlowTableTest, IdleTimeoutsFollowPacketTime) {
  Make();
  Feed(Ipv4("10.0.0.1", "10.0.0.53", kProtoUdp, Udp(5000, 53)), 0);
  Handshake(1);
  Feed(Ipv4("10.0.0.7", "10.0.0.8", kProtoUdp, Udp(1, 2)), 62);  // udp_timeout 60s passed
  ASSERT_EQ(ended_.size(), 1u);
  EXPECT_EQ(ended_[0].reason, EndReason::kIdle);
  EXPECT_EQ(ended_[0].flow.resp_port, 53);
  Feed(Ipv4("10.0.0.7", "10.0.0.8", kProtoUdp, Udp(1, 2)), 302);  // tcp_timeout 5m passed
  ASSERT_EQ(ended_.size(), 3u);
  EXPECT_EQ(ended_[1].flow.protocol, kProtoTcp);
  EXPECT_EQ(ended_[2].reason, EndReason::kIdle);  // the same UDP flow, idle 240 s
}

TEST_F(FlowTableTest, ClosedConnectionsExpireSoonAndCanBeReopened) {
  Make();
  Handshake(1);
  Client(kTcpRst, 2);
  Handshake(3);  // a new SYN on the same 5-tuple: a new connection
  ASSERT_EQ(ended_.size(), 1u);
  EXPECT_EQ(ended_[0].reason, EndReason::kReused);
  EXPECT_EQ(ended_[0].state(), "RSTO");
  Client(kTcpFin | kTcpAck, 4);
  Server(kTcpFin | kTcpAck, 4.1);
  table_->AdvanceTo(10 * kSec);  // tcp_closed_timeout 5s
  ASSERT_EQ(ended_.size(), 2u);
  EXPECT_EQ(ended_[1].state(), "SF");
}

TEST_F(FlowTableTest, ActiveTimeoutSplitsLongFlows) {
  FlowTableOptions o;
  o.timeouts.active = std::chrono::seconds(10);
  Make(o);
  for (int t = 0; t <= 25; t += 5) Feed(Ipv4("10.0.0.1", "10.0.0.2", kProtoUdp, Udp(1, 2)), t);
  table_->Flush();
  ASSERT_EQ(ended_.size(), 3u);  // [0,5] [10,15] [20,25]
  EXPECT_EQ(ended_[0].reason, EndReason::kActive);
  EXPECT_EQ(ended_[1].reason, EndReason::kActive);
  EXPECT_EQ(ended_[2].reason, EndReason::kEndOfCapture);
  for (const Ended& e : ended_) EXPECT_EQ(e.flow.orig.packets, 2u);
}

TEST_F(FlowTableTest, MemoryCapEvictsTheLeastRecentlySeen) {
  FlowTableOptions o;
  o.max_flows = 3;
  Make(o);
  for (uint16_t port = 1; port <= 5; ++port) {
    Feed(Ipv4("10.0.0.1", "10.0.0.2", kProtoUdp, Udp(port, 9)), port);
    Feed(Ipv4("10.0.0.1", "10.0.0.2", kProtoUdp, Udp(1, 9)), port + 0.5);  // keeps port 1 fresh
  }
  EXPECT_EQ(table_->size(), 3u);
  EXPECT_EQ(table_->counters().evicted, 2u);
  ASSERT_EQ(ended_.size(), 2u);
  EXPECT_EQ(ended_[0].flow.orig_port, 2);
  EXPECT_EQ(ended_[1].flow.orig_port, 3);
  EXPECT_EQ(ended_[0].reason, EndReason::kEvicted);
}

TEST_F(FlowTableTest, FlushIsInStartOrderAndTimeMayGoBack) {
  Make();
  Feed(Ipv4("10.0.0.1", "10.0.0.2", kProtoUdp, Udp(1, 2)), 100);
  Feed(Ipv4("10.0.0.1", "10.0.0.3", kProtoUdp, Udp(1, 2)), 50);  // an earlier capture appended
  Feed(Ipv4("10.0.0.1", "10.0.0.2", kProtoUdp, Udp(1, 2)), 40);
  table_->Flush();
  ASSERT_EQ(ended_.size(), 2u);
  EXPECT_EQ(ended_[0].flow.first_ns, 50 * kSec);
  EXPECT_EQ(ended_[1].flow.first_ns, 100 * kSec);
  EXPECT_EQ(ended_[1].flow.last_ns, 100 * kSec);
  EXPECT_EQ(ended_[1].flow.orig.packets, 2u);
}

TEST_F(FlowTableTest, LaterFragmentsAreCountedNotFlowed) {
  Make();
  Ip4Options later;
  later.frag = 100;
  Feed(Ipv4("10.0.0.1", "10.0.0.2", kProtoUdp, Bytes(30, 0), later), 1);
  EXPECT_EQ(table_->size(), 0u);
  EXPECT_EQ(table_->counters().unflowed_fragments, 1u);
}

}  // namespace
}  // namespace vigil::network

namespace vigil::network {
namespace {

// The memory budget per tracked flow is 300 bytes: the slot plus the hash index node
// (~80 bytes with the allocator's overhead) must stay below it.
TEST(FlowTableMemory, SlotStaysSmall) { EXPECT_LE(sizeof(Flow), 160u); }

}  // namespace
}  // namespace vigil::network
