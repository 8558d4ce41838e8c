// Diagnostics: counts, the FILE:LINE:COL header, source line with caret, and JSON.
#include "vigil/diagnostic.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/test_support.h"

namespace vigil {
namespace {

TEST(DiagnosticsTest, CountsErrorsAndWarnings) {
  Diagnostics d;
  EXPECT_TRUE(d.empty());
  EXPECT_FALSE(d.has_errors());
  d.Warning({"f", 1, 1}, "W100", "careful");
  EXPECT_FALSE(d.has_errors());
  EXPECT_EQ(d.warning_count(), 1u);
  d.Error({"f", 2, 1}, "E101", "bad");
  d.Error({"f", 3, 1}, "E102", "worse");
  EXPECT_TRUE(d.has_errors());
  EXPECT_EQ(d.error_count(), 2u);
  EXPECT_EQ(d.warning_count(), 1u);
  EXPECT_EQ(d.items().size(), 3u);

  Diagnostics other;
  other.Error({"g", 1, 1}, "E103", "x");
  other.Add({Severity::kWarning, "W101", "y", {"g", 2, 2}});
  d.Append(other);
  EXPECT_EQ(d.error_count(), 3u);
  EXPECT_EQ(d.warning_count(), 2u);
  EXPECT_EQ(d.items().back().code, "W101");
}

TEST(DiagnosticsTest, HeaderFormat) {
  EXPECT_EQ(FormatDiagnosticHeader({Severity::kError, "E101", "unknown key 'x'", {"a.yaml", 3, 5}}),
            "a.yaml:3:5: error[E101]: unknown key 'x'");
  EXPECT_EQ(FormatDiagnosticHeader({Severity::kWarning, "W1", "hm", {"a.yaml", 3, 0}}),
            "a.yaml:3: warning[W1]: hm");
  EXPECT_EQ(FormatDiagnosticHeader({Severity::kError, "E100", "cannot read", {"a.yaml", 0, 0}}),
            "a.yaml: error[E100]: cannot read");
  EXPECT_EQ(FormatDiagnosticHeader({Severity::kError, "E100", "m", {"", 0, 0}}),
            "<input>: error[E100]: m");
}

TEST(DiagnosticsTest, TextShowsTheSourceLineAndACaret) {
  vigil::testing::TempDir dir;
  std::string path = dir.Write("c.yaml", "first: 1\nlog:\n  colour: red\n");
  Diagnostics d;
  d.Error({path, 3, 3}, "E101", "unknown key 'colour'");
  EXPECT_EQ(d.FormatText(), path +
                                ":3:3: error[E101]: unknown key 'colour'\n"
                                "    colour: red\n"
                                "    ^\n");
}

TEST(DiagnosticsTest, CaretKeepsTabsAndCrlfIsTrimmed) {
  vigil::testing::TempDir dir;
  std::string path = dir.Write("c.yaml", "\tab: x\r\n");
  Diagnostics d;
  d.Error({path, 1, 3}, "E100", "tab");
  EXPECT_EQ(d.FormatText(), path + ":1:3: error[E100]: tab\n  \tab: x\n  \t ^\n");
}

TEST(DiagnosticsTest, TextWithoutReadableSourceIsHeaderOnly) {
  Diagnostics d;
  d.Error({"/nonexistent/vigil/x.yaml", 2, 4}, "E102", "wrong");
  d.Error({"<built-in>", 1, 1}, "E101", "x");
  EXPECT_EQ(d.FormatText(),
            "/nonexistent/vigil/x.yaml:2:4: error[E102]: wrong\n<built-in>:1:1: error[E101]: x\n");
}

TEST(DiagnosticsTest, TextLineBeyondFileOrWithoutColumn) {
  vigil::testing::TempDir dir;
  std::string path = dir.Write("c.yaml", "a: 1\n");
  Diagnostics d;
  d.Error({path, 9, 1}, "E100", "past the end");
  d.Error({path, 1, 0}, "E100", "no column");
  EXPECT_EQ(d.FormatText(), path + ":9:1: error[E100]: past the end\n" + path +
                                ":1: error[E100]: no column\n  a: 1\n");
}

TEST(DiagnosticsTest, LongSourceLinesAreCut) {
  vigil::testing::TempDir dir;
  std::string path = dir.Write("c.yaml", "k: " + std::string(5000, 'x') + "\n");
  Diagnostics d;
  d.Error({path, 1, 4}, "E103", "long");
  std::string text = d.FormatText();
  EXPECT_LT(text.size(), 600u);
  EXPECT_NE(text.find("\n     ^\n"), std::string::npos);
}

TEST(DiagnosticsTest, Json) {
  Diagnostics d;
  d.Error({"a.yaml", 3, 5}, "E101", "unknown key 'x'");
  d.Warning({"b.yaml", 0, 0}, "W200", "bad \xff byte and \"quotes\"");
  nlohmann::json j = nlohmann::json::parse(d.FormatJson());
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["file"], "a.yaml");
  EXPECT_EQ(j[0]["line"], 3);
  EXPECT_EQ(j[0]["column"], 5);
  EXPECT_EQ(j[0]["severity"], "error");
  EXPECT_EQ(j[0]["code"], "E101");
  EXPECT_EQ(j[0]["message"], "unknown key 'x'");
  EXPECT_EQ(j[1]["severity"], "warning");
  EXPECT_EQ(j[1]["line"], 0);
  EXPECT_NE(j[1]["message"].get<std::string>().find("\"quotes\""), std::string::npos);
  EXPECT_EQ(Diagnostics().FormatJson(), "[]");
}

}  // namespace
}  // namespace vigil
