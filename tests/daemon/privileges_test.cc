// Which capabilities `vigil run` keeps after dropping root (privileges.h), from the
// collectors' own declarations. The switch itself needs root and a process of its own:
// tests/integration/privilege_drop_test.cc runs it.
#include "privileges.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil {
namespace {

CollectorEntry Entry(const std::string& type, bool enabled = true) {
  CollectorEntry e;
  e.type = type;
  e.name = type;
  e.enabled = enabled;
  return e;
}

TEST(PrivilegesTest, CollectorsDeclareWhatTheyNeed) {
  const CollectorRegistry& r = CollectorRegistry::Global();
  ASSERT_NE(r.Find("capture"), nullptr);
  EXPECT_EQ(r.Find("capture")->capabilities(),
            (std::vector<Capability>{Capability::kNetRaw, Capability::kNetAdmin}));
  for (const char* file_reader : {"auth_log", "journal_json", "audit_log", "jsonl", "pcap"}) {
    ASSERT_NE(r.Find(file_reader), nullptr) << file_reader;
    EXPECT_EQ(r.Find(file_reader)->capabilities(),
              std::vector<Capability>{Capability::kDacReadSearch})
        << file_reader;
  }
}

TEST(PrivilegesTest, KeepsTheUnionOfEnabledCollectorsSortedWithoutDuplicates) {
  DaemonConfig c;
  c.metrics_listen = "127.0.0.1:9747";
  c.collectors = {Entry("auth_log"), Entry("capture"), Entry("jsonl"), Entry("pcap")};
  EXPECT_EQ(NeededCapabilities(c), (std::vector<Capability>{Capability::kDacReadSearch,
                                                             Capability::kNetAdmin,
                                                             Capability::kNetRaw}));
  EXPECT_EQ(CapabilityNames(NeededCapabilities(c)),
            "cap_dac_read_search,cap_net_admin,cap_net_raw");
}

TEST(PrivilegesTest, DisabledAndUnknownCollectorsAddNothing) {
  DaemonConfig c;
  c.collectors = {Entry("capture", /*enabled=*/false), Entry("no-such-type")};
  EXPECT_TRUE(NeededCapabilities(c).empty());
  EXPECT_EQ(CapabilityNames(NeededCapabilities(c)), "none");
}

TEST(PrivilegesTest, LowMetricsPortNeedsBindService) {
  DaemonConfig c;
  c.metrics_listen = "0.0.0.0:443";
  EXPECT_EQ(NeededCapabilities(c), std::vector<Capability>{Capability::kNetBindService});
  c.metrics_enabled = false;
  EXPECT_TRUE(NeededCapabilities(c).empty());
  c.metrics_enabled = true;
  c.metrics_listen = "[::1]:1024";
  EXPECT_TRUE(NeededCapabilities(c).empty());
}

TEST(PrivilegesTest, NoUserMeansNothingToDo) {
  DaemonConfig c;  // user: "" whatever the uid of this test
  EXPECT_TRUE(DropPrivileges(c).ok());
}

}  // namespace
}  // namespace vigil
