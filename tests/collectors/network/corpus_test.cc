// The network collector over the real captures in ../shared/corpora/pcap: nDPI's test
// captures (many link types and tunnels) and tcpdump's (many deliberately malformed).
//
// - every packet of every capture is accounted for: decoded as IP, seen as not IP, or
//   counted as malformed by class, and nothing crashes (run this binary under ASan/UBSan);
// - the flows agree with nDPI 4.2's recorded results and with tshark's conversations on
//   the same files (5-tuple and packets per direction); differences are printed and
//   explained in docs/network.md.
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include "collector_harness.h"
#include "corpus_support.h"
#include "flow_oracle.h"
#include "network_options.h"
#include "packet_processor.h"
#include "support/test_support.h"
#include "vigil/ecs_fields.h"

namespace vigil::network {
namespace {

using testing::CollectorHarness;
using testing::Conversations;

TEST(NetworkCorpus, EveryPacketIsAccountedFor) {
  const auto ids = GlobalNetworkFields();
  ASSERT_TRUE(ids.ok());
  uint64_t files = 0, not_captures = 0, packets = 0, ip = 0, not_ip = 0, malformed = 0;
  std::array<uint64_t, static_cast<size_t>(Malformed::kCount)> by_class{};
  for (const char* corpus : {"ndpi-4.2", "tcpdump-tests"}) {
    const std::string dir = CorpusDir(corpus);
    const auto names = Files(dir, false);
    if (names.empty()) GTEST_SKIP() << "no corpus at " << dir;
    for (const std::string& name : names) {
      const std::string path = dir + "/" + name;
      char err[PCAP_ERRBUF_SIZE];
      pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
      if (p == nullptr) {
        ++not_captures;  // TESTLIST, or a capture libpcap itself refuses
        continue;
      }
      ++files;
      CollectorHarness h;
      PacketProcessor proc(LinkTypeFromDlt(pcap_datalink(p)), FlowTableOptions{}, h.ctx(), path, *ids);
      uint64_t read = 0;
      pcap_pkthdr* hdr;
      const u_char* data;
      while (pcap_next_ex(p, &hdr, &data) == 1) {
        ++read;
        const int64_t ts = int64_t{hdr->ts.tv_sec} * 1'000'000'000 + hdr->ts.tv_usec;
        ASSERT_TRUE(proc.Frame(ts, data, hdr->caplen, hdr->len));
      }
      pcap_close(p);
      proc.Flush();
      const PacketCounters& c = proc.counters();
      EXPECT_EQ(c.packets, read) << path;
      EXPECT_EQ(c.ip + c.not_ip + c.malformed, c.packets) << path;
      EXPECT_EQ(h.skips().size(), c.malformed) << path;
      uint64_t logins = 0;
      for (uint64_t n : proc.logins().counters().parsed) logins += n;
      EXPECT_EQ(h.events().size(), proc.flows().counters().created + c.dns_parsed + c.tls_parsed +
                                       logins + c.http_parsed + c.ssh_parsed + c.smb_parsed)
          << path;
      packets += c.packets;
      ip += c.ip;
      not_ip += c.not_ip;
      malformed += c.malformed;
      for (size_t i = 0; i < by_class.size(); ++i) by_class[i] += c.by_class[i];
    }
  }
  std::printf("corpus: %llu captures (%llu other files), %llu packets: %llu ip, %llu not ip, "
              "%llu malformed\n",
              (unsigned long long)files, (unsigned long long)not_captures,
              (unsigned long long)packets, (unsigned long long)ip, (unsigned long long)not_ip,
              (unsigned long long)malformed);
  for (size_t i = 1; i < by_class.size(); ++i) {
    std::printf("  %-22s %llu\n", std::string(MalformedName(static_cast<Malformed>(i))).c_str(),
                (unsigned long long)by_class[i]);
  }
  EXPECT_GT(files, 1000u);
}

TEST(NetworkCorpus, EveryCaptureReplaysThroughThePcapCollector) {
  size_t ran = 0;
  for (const char* corpus : {"ndpi-4.2", "tcpdump-tests"}) {
    const std::string dir = CorpusDir(corpus);
    for (const std::string& name : Files(dir, true)) {
      CollectorHarness h;
      ASSERT_TRUE(h.Create("pcap", "path: '" + dir + "/" + name + "'").ok()) << name;
      const Status s = h.Run();
      // A file libpcap cannot open at all is an I/O error, never a crash.
      EXPECT_TRUE(s.ok() || s.code() == StatusCode::kIoError) << name << ": " << s.ToString();
      ++ran;
    }
  }
  if (ran == 0) GTEST_SKIP() << "no corpus";
}

Conversations VigilConversations(const std::string& path) {
  CollectorHarness h;
  EXPECT_TRUE(h.Create("pcap", "path: '" + path + "'").ok());
  EXPECT_TRUE(h.Run().ok()) << path;
  return testing::FromEvents(h.events());
}

void Report(const char* oracle, const std::string& name, const testing::Agreement& a) {
  if (a.same_packets == a.reference && a.extra == 0) return;
  std::printf("%s %s: %zu reference flows, %zu same tuple, %zu same packets, %zu extra\n", oracle,
              name.c_str(), a.reference, a.same_tuple, a.same_packets, a.extra);
  for (const auto& d : a.differences) std::printf("    %s\n", d.c_str());
}

TEST(NetworkCorpus, FlowsAgreeWithNdpi) {
  const std::string dir = CorpusDir("ndpi-4.2");
  size_t reference = 0, same_tuple = 0, same_packets = 0, extra = 0;
  for (const std::string& name : Files(dir, true)) {
    const std::string expected = vigil::testing::ReadFile(dir + "/expected/" + name + ".out");
    if (expected.empty()) continue;
    const auto a = testing::Compare(VigilConversations(dir + "/" + name),
                                    testing::FromNdpiResult(expected));
    Report("ndpi", name, a);
    reference += a.reference;
    same_tuple += a.same_tuple;
    same_packets += a.same_packets;
    extra += a.extra;
  }
  if (reference == 0) GTEST_SKIP() << "no nDPI results in " << dir;
  std::printf("ndpi: %zu TCP/UDP flows, %zu found (%.2f%%), %zu with equal packets per direction "
              "(%.2f%%), %zu extra\n",
              reference, same_tuple, 100.0 * same_tuple / reference, same_packets,
              100.0 * same_packets / reference, extra);
  EXPECT_GE(100.0 * same_tuple / reference, 99.0);
  EXPECT_GE(100.0 * same_packets / reference, 98.5);
}

TEST(NetworkCorpus, FlowsAgreeWithTshark) {
  const std::string tshark = FindProgram("tshark");
  if (tshark.empty()) GTEST_SKIP() << "tshark is not installed (Debian package tshark)";
  const std::string dir = CorpusDir("ndpi-4.2");
  // tshark takes ~1 s per file on a busy machine: a sample of link types, tunnels and
  // traffic kinds by default, every capture with VIGIL_TSHARK_ALL=1.
  std::vector<std::string> names = {
      "1kxun.pcap", "4in4tunnel.pcap", "4in6tunnel.pcap", "6in4tunnel.pcap", "6in6tunnel.pcap",
      "BGP_redist.pcap", "dlt_ppp.pcap", "kerberos_fuzz.pcapng", "ipv6_in_gtp.pcap",
      "synscan.pcap", "teredo.pcap", "http_ipv6.pcap", "dns_fragmented.pcap", "anydesk-2.pcap",
      "quic.pcap", "whatsapp_login_call.pcap", "tls_invalid_reads.pcap", "ftp.pcap",
      "alexa-app.pcapng", "smbv1.pcap"};
  if (std::getenv("VIGIL_TSHARK_ALL") != nullptr) names = Files(dir, true);
  size_t reference = 0, same_tuple = 0, same_packets = 0, extra = 0;
  for (const std::string& name : names) {
    const std::string path = dir + "/" + name;
    const auto out = vigil::testing::RunCommand(
        {tshark, "-n", "-r", path, "-q", "-z", "conv,tcp", "-z", "conv,udp"});
    if (out.exit_code != 0 && out.out.empty()) continue;
    const auto a = testing::Compare(VigilConversations(path), testing::FromTsharkConv(out.out));
    Report("tshark", name, a);
    reference += a.reference;
    same_tuple += a.same_tuple;
    same_packets += a.same_packets;
    extra += a.extra;
  }
  if (reference == 0) GTEST_SKIP() << "no corpus at " << dir;
  std::printf("tshark: %zu TCP/UDP conversations, %zu found (%.2f%%), %zu with equal packets per "
              "direction (%.2f%%), %zu extra\n",
              reference, same_tuple, 100.0 * same_tuple / reference, same_packets,
              100.0 * same_packets / reference, extra);
  // Over every capture the agreement is lower (97.9% / 97.6%): see docs/network.md.
  const double minimum = std::getenv("VIGIL_TSHARK_ALL") != nullptr ? 97.0 : 99.0;
  EXPECT_GE(100.0 * same_tuple / reference, minimum);
  EXPECT_GE(100.0 * same_packets / reference, minimum);
}

}  // namespace
}  // namespace vigil::network
