// RFC 5424 messages for alerts: PRI, timestamp precision, header field limits, structured
// data escaping, the BOM before the JSON, and RFC 6587 octet-counting framing.
#include "outputs/rfc5424.h"

#include <gtest/gtest.h>

#include "output_test_util.h"

namespace vigil {
namespace {

using testing::MakeMessage;

TEST(Rfc5424Test, FormatsTheWholeMessage) {
  auto m = MakeMessage(42, AlertSeverity::kHigh);
  SyslogHeader h{4, "vigil", "1234"};
  EXPECT_EQ(FormatRfc5424(*m, h),
            "<35>1 2026-03-01T10:00:00.123456Z ledger-01 vigil 1234 ssh_brute_force "
            "[vigil@32473 id=\"42\" rule=\"ssh_brute_force\" severity=\"high\"] "
            "\xEF\xBB\xBF" +
                m->json);
}

TEST(Rfc5424Test, PriorityFromFacilityAndSeverity) {
  SyslogHeader h{*SyslogFacilityCode("local7"), "vigil", "1"};
  EXPECT_EQ(FormatRfc5424(*MakeMessage(1, AlertSeverity::kCritical), h).substr(0, 7), "<186>1 ");
  EXPECT_EQ(FormatRfc5424(*MakeMessage(1, AlertSeverity::kInfo), h).substr(0, 7), "<190>1 ");
  h.facility = *SyslogFacilityCode("kern");
  EXPECT_EQ(FormatRfc5424(*MakeMessage(1, AlertSeverity::kMedium), h).substr(0, 5), "<4>1 ");
  EXPECT_EQ(SyslogSeverityCode(AlertSeverity::kLow), 5);
  EXPECT_EQ(SyslogFacilityCode("authpriv"), 10);
  EXPECT_FALSE(SyslogFacilityCode("local8").has_value());
}

TEST(Rfc5424Test, EscapesStructuredDataValues) {
  EXPECT_EQ(EscapeSdParamValue(R"(a"b\c]d[e)"), R"(a\"b\\c\]d[e)");
  auto m = std::make_shared<AlertMessage>(*MakeMessage(5, AlertSeverity::kLow, {}, R"(r"]\)"));
  std::string msg = FormatRfc5424(*m, SyslogHeader{});
  EXPECT_NE(msg.find(R"([vigil@32473 id="5" rule="r\"\]\\" severity="low"])"), std::string::npos)
      << msg;
}

TEST(Rfc5424Test, HeaderFieldsArePrintableAsciiWithinLimits) {
  auto base = MakeMessage(1, AlertSeverity::kLow, {}, std::string(40, 'r') + " x");
  AlertMessage m = *base;
  m.host_name = "";
  SyslogHeader h{1, "", "7"};
  std::string msg = FormatRfc5424(m, h);
  // HOSTNAME "-", APP-NAME "-", PROCID "7", MSGID cut to 32 characters.
  EXPECT_NE(msg.find("Z - - 7 " + std::string(32, 'r') + " [vigil@32473"), std::string::npos)
      << msg;
  m.host_name = "host name\xC3\xA9";
  msg = FormatRfc5424(m, h);
  EXPECT_NE(msg.find("Z host_name__ - 7"), std::string::npos) << msg;
}

TEST(Rfc5424Test, TimestampHasAtMostSixFractionDigits) {
  AlertMessage m = *MakeMessage(1);
  m.timestamp = Timestamp(std::chrono::seconds(1772359200));  // 2026-03-01T10:00:00Z
  EXPECT_NE(FormatRfc5424(m, SyslogHeader{}).find(" 2026-03-01T10:00:00Z "), std::string::npos);
  m.timestamp += std::chrono::nanoseconds(999);
  EXPECT_NE(FormatRfc5424(m, SyslogHeader{}).find(" 2026-03-01T10:00:00Z "), std::string::npos);
}

TEST(Rfc5424Test, OctetCountingFrame) {
  EXPECT_EQ(OctetCountingFrame("<13>1 - - - - - -"), "17 <13>1 - - - - - -");
  EXPECT_EQ(OctetCountingFrame(""), "0 ");
  // The count is of octets, not characters.
  EXPECT_EQ(OctetCountingFrame("\xEF\xBB\xBF{}"), "5 \xEF\xBB\xBF{}");
}

}  // namespace
}  // namespace vigil
