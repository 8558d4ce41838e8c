// The `pcap` and `capture` collectors end to end: config, events, skips.
#include "pcap_collector.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "collector_harness.h"
#include "flow_event.h"
#include "network_options.h"
#include "packet_processor.h"
#include "pcap_writer.h"
#include "support/test_support.h"
#include "vigil/ecs_fields.h"

namespace vigil::network {
namespace {

using namespace testing;  // NOLINT: builders and harness
using vigil::testing::TempDir;

const std::string* Str(const Event& e, const char* name) {
  auto id = FieldRegistry::Global().Find(name);
  return id ? e.GetString(*id) : nullptr;
}

std::string EventSummary(const Event& e) {
  std::string s;
  for (const auto& f : e.fields()) {
    s += FieldRegistry::Global().Info(f.id).name + "=";
    if (auto* v = std::get_if<std::string>(&f.value)) s += *v;
    if (auto* v = std::get_if<int64_t>(&f.value)) s += std::to_string(*v);
    if (auto* v = std::get_if<IpAddress>(&f.value)) s += v->ToString();
    s += " ";
  }
  return s;
}

std::vector<TimedFrame> SampleCapture() {
  auto tcp = [](bool from_client, uint8_t flags, const std::string& data = "") {
    return from_client
               ? Eth(0x0800, Ipv4("192.168.1.10", "93.184.216.34", kProtoTcp, Tcp(51000, 80, flags, Text(data))))
               : Eth(0x0800, Ipv4("93.184.216.34", "192.168.1.10", kProtoTcp, Tcp(80, 51000, flags, Text(data))));
  };
  return {
      {1000.0, tcp(true, kTcpSyn)},
      {1000.1, tcp(false, kTcpSyn | kTcpAck)},
      {1000.2, tcp(true, kTcpAck)},
      {1000.3, tcp(true, kTcpPsh | kTcpAck, "GET / HTTP/1.1\r\n\r\n")},
      {1000.4, Eth(0x0806, Bytes(28, 0))},               // ARP: not IP, not malformed
      {1000.5, Eth(0x0800, Bytes(12, 0x45))},            // malformed: truncated_ip
      {1000.6, tcp(false, kTcpFin | kTcpAck)},
      {1000.7, tcp(true, kTcpFin | kTcpAck)},
      {1001.0, Eth(0x0800, Ipv4("192.168.1.10", "192.168.1.1", kProtoUdp, Udp(40000, 53, Text("q"))))},
  };
}

TEST(PcapCollector, EmitsOneFlowEventPerFlow) {
  TempDir dir;
  const std::string path = dir.File("sample.pcap");
  ASSERT_TRUE(WritePcap(path, DLT_EN10MB, SampleCapture()));
  CollectorHarness h;
  ASSERT_TRUE(h.Create("pcap", "path: " + path).ok()) << h.diags().FormatText();
  ASSERT_TRUE(h.Run().ok());
  // The flow events; the HTTP request gives a network.http event besides.
  std::vector<Event> events;
  size_t http = 0;
  for (const Event& e : h.events()) {
    const std::string ds = *e.GetString(ecs::kEventDataset);
    if (ds == "network.flow") events.push_back(e);
    if (ds == "network.http") ++http;
  }
  EXPECT_EQ(http, 1u);
  ASSERT_EQ(events.size(), 2u);
  const Event& tcp = events[0];
  EXPECT_EQ(*tcp.GetString(ecs::kEventDataset), "network.flow");
  EXPECT_EQ(*tcp.GetString(ecs::kEventAction), "flow_end");
  EXPECT_EQ(*tcp.GetList(ecs::kEventType), (StringList{"connection", "end"}));
  EXPECT_EQ(tcp.GetIp(ecs::kSourceIp)->ToString(), "192.168.1.10");
  EXPECT_EQ(*tcp.GetInt(ecs::kDestinationPort), 80);
  EXPECT_EQ(*tcp.GetInt(ecs::kSourcePackets), 4);
  EXPECT_EQ(*tcp.GetInt(ecs::kDestinationPackets), 2);
  EXPECT_EQ(*tcp.GetString(ecs::kNetworkTransport), "tcp");
  EXPECT_EQ(*tcp.GetString(ecs::kNetworkType), "ipv4");
  EXPECT_EQ(tcp.GetString(ecs::kNetworkCommunityId)->substr(0, 2), "1:");
  EXPECT_EQ(tcp.time(), Timestamp(std::chrono::seconds(1000)));
  EXPECT_EQ(*Str(tcp, "vigil.network.conn_state"), "SF");
  EXPECT_EQ(*Str(tcp, "vigil.network.history"), "ShADfF");
  EXPECT_EQ(*Str(tcp, "vigil.network.end_reason"), "end_of_capture");
  EXPECT_EQ(*Str(events[1], "vigil.network.conn_state"), "S0");
  const auto skips = h.skips();
  ASSERT_EQ(skips.size(), 1u);
  EXPECT_EQ(skips[0].where, path + "#6");
  EXPECT_EQ(skips[0].reason, "truncated_ip");
}

// Collects samples as "name{labels} value" lines, for asserting on metrics.
class TextMetrics : public MetricWriter {
 public:
  void Write(std::string_view name, std::string_view, MetricKind, const MetricLabels& labels,
             double value) override {
    std::string line(name);
    for (const auto& [k, v] : labels) line += " " + k + "=" + v;
    line += " " + std::to_string(static_cast<int64_t>(value));
    lines.push_back(line);
  }
  bool Has(const std::string& line) const {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  }
  std::vector<std::string> lines;
};

TEST(PcapCollector, PublishesPacketAndFlowMetrics) {
  TempDir dir;
  const std::string path = dir.File("sample.pcap");
  ASSERT_TRUE(WritePcap(path, DLT_EN10MB, SampleCapture()));
  CollectorHarness h;
  ASSERT_TRUE(h.Create("pcap", "path: " + path).ok()) << h.diags().FormatText();
  TextMetrics before;
  h.collector().WriteMetrics(before, "cap");
  EXPECT_TRUE(before.Has("vigil_network_packets_total collector=cap result=malformed 0"));
  EXPECT_TRUE(before.Has("vigil_network_malformed_packets_total collector=cap class=truncated_ip 0"));
  // Every protocol's application series from the first scrape on; SSH has no not_inspected.
  for (const char* protocol : {"dns", "tls", "ftp", "telnet", "pop3", "imap", "smtp", "http", "ssh", "smb"}) {
    for (const char* result : {"parsed", "malformed", "not_inspected"}) {
      const std::string line = std::string("vigil_network_app_messages_total collector=cap protocol=") +
                               protocol + " result=" + result + " 0";
      EXPECT_EQ(before.Has(line), std::string_view(protocol) != "ssh" || std::string_view(result) != "not_inspected")
          << line;
    }
  }
  ASSERT_TRUE(h.Run().ok());
  TextMetrics after;
  h.collector().WriteMetrics(after, "cap");
  EXPECT_TRUE(after.Has("vigil_network_packets_total collector=cap result=malformed 1"));
  EXPECT_TRUE(after.Has("vigil_network_malformed_packets_total collector=cap class=truncated_ip 1"));
  EXPECT_TRUE(after.Has("vigil_network_flows_ended_total collector=cap 2"));
  EXPECT_TRUE(after.Has("vigil_network_flows_active collector=cap 0"));
  EXPECT_TRUE(after.Has("vigil_network_app_messages_total collector=cap protocol=http result=parsed 1"));
  EXPECT_TRUE(after.Has("vigil_network_app_messages_total collector=cap protocol=dns result=parsed 0"));
  for (const auto& l : after.lines) EXPECT_EQ(l.find("vigil_capture_"), std::string::npos) << l;
}

TEST(FrameTime, HostileValuesSaturateInsteadOfOverflowing) {
  EXPECT_EQ(FrameTimeNs(1000, 5, 1000), 1000'000'005'000);
  EXPECT_EQ(FrameTimeNs(1000, 7, 1), 1000'000'000'007);
  EXPECT_EQ(FrameTimeNs(-5, 0, 1), 0);
  EXPECT_EQ(FrameTimeNs(0, 4'000'000'000, 1000), 999'999'999);  // fraction over a second
  const int64_t huge = FrameTimeNs(2379311469288, 0, 1);    // found by pcap_file_fuzz
  EXPECT_GT(huge, 0);
  EXPECT_EQ(huge % 1'000'000'000, 0);
  EXPECT_EQ(FrameTimeNs(INT64_MAX, INT64_MAX, 1000), huge + 999'999'999);
}

TEST(PcapCollector, BpfFilterAndBadConfig) {
  TempDir dir;
  const std::string path = dir.File("sample.pcap");
  ASSERT_TRUE(WritePcap(path, DLT_EN10MB, SampleCapture()));
  CollectorHarness h;
  ASSERT_TRUE(h.Create("pcap", "{path: " + path + ", bpf: 'udp port 53'}").ok());
  ASSERT_TRUE(h.Run().ok());
  ASSERT_EQ(h.events().size(), 1u);
  EXPECT_EQ(*h.events()[0].GetString(ecs::kNetworkTransport), "udp");

  CollectorHarness bad;
  EXPECT_FALSE(bad.Create("pcap", "{path: x, bpf: 'no such filter ((', max_flows: 0, "
                                  "udp_timeout: -3, bogus: 1}").ok());
  const std::string text = bad.diags().FormatText();
  EXPECT_NE(text.find("invalid capture filter"), std::string::npos) << text;
  EXPECT_NE(text.find("max_flows"), std::string::npos) << text;
  EXPECT_NE(text.find("bogus"), std::string::npos) << text;
  CollectorHarness missing;
  ASSERT_TRUE(missing.Create("pcap", "path: " + dir.File("nope.pcap")).ok());  // no side effects
  EXPECT_FALSE(missing.Run().ok());
}

TEST(PcapCollector, DeclaresItsFields) {
  FieldRegistry fields;
  ASSERT_TRUE(CollectorRegistry::Global().Find("pcap")->DeclareFields(fields).ok());
  EXPECT_TRUE(fields.Find("vigil.network.conn_state").has_value());
  EXPECT_TRUE(fields.Find("vigil.network.history").has_value());
  EXPECT_EQ(fields.Info(*fields.Find("vigil.network.tunnel")).type, FieldType::kList);
  EXPECT_NE(CollectorRegistry::Global().Find("capture"), nullptr);
}

TEST(PcapReplay, CommandLineIsDeterministic) {
  const std::string pcap = vigil::testing::SharedDir() + "/corpora/pcap/ndpi-4.2/4in6tunnel.pcap";
  if (vigil::testing::ReadFile(pcap).empty()) GTEST_SKIP() << "no corpus at " << pcap;
  const auto first = vigil::testing::RunCommand({vigil::testing::VigilBinary(), "replay", "--pcap", pcap, "--events"});
  const auto second = vigil::testing::RunCommand({vigil::testing::VigilBinary(), "replay", "--pcap", pcap, "--events"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, second.out);
  // nDPI and tshark agree on this flow: 2 packets of 520 bytes each way inside IPv6-in-IPv4.
  EXPECT_NE(first.out.find(R"("dataset":"network.flow")"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find(R"("source":{"bytes":520,"ip":"192.168.0.1","packets":2,"port":64455})"),
            std::string::npos) << first.out;
  EXPECT_NE(first.out.find(R"("tunnel":["ipip"])"), std::string::npos) << first.out;
  // The flow is HTTPS: its ClientHello (SNI www.bing.com) and ServerHello give two
  // network.tls events besides the flow.
  EXPECT_NE(first.out.find(R"("server_name":"www.bing.com")"), std::string::npos) << first.out;
  EXPECT_NE(first.err.find("3 events"), std::string::npos) << first.err;
}

TEST(CaptureCollector, SeesUdpOnLoopback) {
  if (geteuid() != 0) GTEST_SKIP() << "live capture needs root (CAP_NET_RAW)";
  // Our own source port in the filter, so that other processes' traffic stays out.
  const int s = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  from.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(s, reinterpret_cast<const sockaddr*>(&from), sizeof from), 0);
  socklen_t len = sizeof from;
  ASSERT_EQ(getsockname(s, reinterpret_cast<sockaddr*>(&from), &len), 0);
  const int sport = ntohs(from.sin_port);

  CollectorHarness h(RunMode::kLive);
  ASSERT_TRUE(h.Create("capture", "{interface: lo, bpf: 'udp and src port " + std::to_string(sport) +
                                      " and dst port 47999', timeout: 20ms}")
                  .ok())
      << h.diags().FormatText();
  h.Start();
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(47999);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Send until the capture is surely up; every datagram belongs to the same flow.
  for (int i = 0; i < 20; ++i) {
    (void)sendto(s, "ping", 4, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    usleep(50'000);
  }
  close(s);
  ASSERT_TRUE(h.Stop().ok());
  const auto events = h.events();
  std::string seen;
  for (const Event& e : events) seen += EventSummary(e) + "\n";
  ASSERT_EQ(events.size(), 1u) << seen;
  EXPECT_EQ(*events[0].GetInt(ecs::kSourcePort), sport);
  EXPECT_EQ(*events[0].GetInt(ecs::kDestinationPort), 47999);
  EXPECT_GE(*events[0].GetInt(ecs::kSourcePackets), 1);
  EXPECT_EQ(*Str(events[0], "vigil.network.end_reason"), "end_of_capture");
}

}  // namespace
}  // namespace vigil::network
