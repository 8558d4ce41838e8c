// Diagnostics: counts, the FILE:LINE:COL header, source line with caret, and JSON.
#include "vigil/diagnostic.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

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

TEST(DiagnosticsTest, ControlBytesAndBadUtf8AreEscapedAndTheCaretFollows) {
  vigil::testing::TempDir dir;
  // ESC, NUL, DEL and a stray 0xff before the column; valid UTF-8 (é, 2 bytes) is kept.
  std::string path = dir.Write("c.yaml", std::string("k: \x1b[2J\0\x7f\xff\xc3\xa9 x\n", 15));
  Diagnostics d;
  d.Error({path, 1, 14}, "E103", "bad value '\x1b[31m\xc3\xa9\x01'");
  EXPECT_EQ(d.FormatText(), path +
                                ":1:14: error[E103]: bad value '\\x1b[31m\xc3\xa9\\x01'\n"
                                "  k: \\x1b[2J\\x00\\x7f\\xff\xc3\xa9 x\n"
                                "                          ^\n");
}

TEST(DiagnosticsTest, EscapeKeepsTabsAndValidUtf8) {
  EXPECT_EQ(EscapeForDiagnostic("a\tb"), "a\tb");
  EXPECT_EQ(EscapeForDiagnostic("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(EscapeForDiagnostic("\r\n"), "\\x0d\\x0a");
  EXPECT_EQ(EscapeForDiagnostic("\xc3"), "\\xc3");                  // cut sequence
  EXPECT_EQ(EscapeForDiagnostic("\xc0\xaf"), "\\xc0\\xaf");          // overlong
  EXPECT_EQ(EscapeForDiagnostic("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(EscapeForDiagnostic("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
}

TEST(DiagnosticsTest, HugeMessagesAndFileNamesAreSafe) {
  Diagnostics d;
  d.Error({"bad\nname.yaml", 1, 1}, "E213", "bad rule id '" + std::string(100000, 'a') + "'");
  const std::string text = d.FormatText();
  EXPECT_LT(text.size(), 5000u);
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "only the line end is a raw newline";
  EXPECT_NE(text.find("bad\\x0aname.yaml:1:1: error[E213]"), std::string::npos);
  EXPECT_NE(text.find("more bytes)"), std::string::npos);
}

TEST(DiagnosticsTest, SourceOfAFifoOrDirectoryIsNotRead) {
  vigil::testing::TempDir dir;
  const std::string fifo = dir.path() + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  Diagnostics d;
  d.Error({fifo, 1, 1}, "E100", "x");  // would block forever if opened for reading
  d.Error({dir.path(), 1, 1}, "E100", "y");
  EXPECT_EQ(d.FormatText(), fifo + ":1:1: error[E100]: x\n" + dir.path() + ":1:1: error[E100]: y\n");
}

TEST(DiagnosticsTest, Utf16SourceLinesAreNotShown) {
  vigil::testing::TempDir dir;
  std::string path = dir.Write("c.yaml", std::string("\xff\xfek\0:\0 \0x\0\n\0", 12));
  Diagnostics d;
  d.Error({path, 1, 1}, "E101", "unknown key 'k'");
  EXPECT_EQ(d.FormatText(), path + ":1:1: error[E101]: unknown key 'k'\n");
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
