// ConfigSection: typed reads, located diagnostics (E101-E105), and ParseDuration.
#include "vigil/config_section.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace vigil {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

class ConfigSectionTest : public ::testing::Test {
 protected:
  ConfigSection Parse(const std::string& yaml) {
    return ConfigSection(YAML::Load(yaml), "f.yaml", diags_);
  }
  // The only diagnostic, as "LINE:COL CODE".
  std::string Only() {
    if (diags_.items().size() != 1) return "count=" + std::to_string(diags_.items().size());
    const Diagnostic& d = diags_.items()[0];
    return std::to_string(d.location.line) + ":" + std::to_string(d.location.column) + " " + d.code;
  }
  Diagnostics diags_;
};

TEST_F(ConfigSectionTest, StringReadsValueOrDefault) {
  ConfigSection s = Parse("a: hello\nb: ~\n");
  EXPECT_EQ(s.String("a"), "hello");
  EXPECT_EQ(s.String("b", "def"), "def");
  EXPECT_EQ(s.String("missing", "def"), "def");
  EXPECT_FALSE(s.OptionalString("missing").has_value());
  s.Finish();
  EXPECT_TRUE(diags_.empty());
}

TEST_F(ConfigSectionTest, StringOfWrongTypeIsE102AtTheValue) {
  ConfigSection s = Parse("a: 1\nb: [x, y]\n");
  EXPECT_EQ(s.String("b", "def"), "def");
  EXPECT_EQ(Only(), "2:4 E102");
  EXPECT_NE(diags_.items()[0].message.find("'b' must be a string"), std::string::npos);
}

TEST_F(ConfigSectionTest, RequiredStringMissingIsE104EmptyIsE103) {
  ConfigSection s = Parse("x: 1\n");
  EXPECT_EQ(s.RequiredString("path"), "");
  EXPECT_EQ(Only(), "1:1 E104");
  EXPECT_NE(diags_.items()[0].message.find("'path'"), std::string::npos);
  Diagnostics d2;
  ConfigSection s2(YAML::Load("path: ''\n"), "f.yaml", d2);
  EXPECT_EQ(s2.RequiredString("path"), "");
  ASSERT_EQ(d2.items().size(), 1u);
  EXPECT_EQ(d2.items()[0].code, "E103");
  // Present without a value (found by the config fuzzer: an output `- type:` loaded and
  // then failed to start without a diagnostic) is an error too, located at the key's line.
  for (const char* yaml : {"x: 1\npath:\n", "x: 1\npath: ~\n", "x: 1\npath: null\n"}) {
    Diagnostics d3;
    ConfigSection s3(YAML::Load(yaml), "f.yaml", d3);
    EXPECT_EQ(s3.RequiredString("path"), "") << yaml;
    ASSERT_EQ(d3.items().size(), 1u) << yaml;
    EXPECT_EQ(d3.items()[0].code, "E103") << yaml;
    EXPECT_EQ(d3.items()[0].location.line, 2) << yaml;
    EXPECT_NE(d3.items()[0].message.find("'path'"), std::string::npos) << d3.items()[0].message;
  }
}

TEST_F(ConfigSectionTest, IntRangeAndType) {
  ConfigSection s = Parse("a: 5\nb: 50\nc: five\nd: -3\n");
  EXPECT_EQ(s.Int("a", 0, 1, 10), 5);
  EXPECT_EQ(s.Int("d", 0), -3);
  EXPECT_EQ(s.Int("missing", 7), 7);
  EXPECT_EQ(s.Int("b", 1, 1, 10), 1);  // out of range gives the default
  EXPECT_EQ(s.Int("c", 2), 2);
  ASSERT_EQ(diags_.items().size(), 2u);
  EXPECT_EQ(diags_.items()[0].code, "E103");
  EXPECT_EQ(diags_.items()[0].location.line, 2);
  EXPECT_EQ(diags_.items()[0].location.column, 4);
  EXPECT_EQ(diags_.items()[1].code, "E102");
  EXPECT_EQ(diags_.items()[1].location.line, 3);
}

TEST_F(ConfigSectionTest, IntRejectsFractionsAndOverflow) {
  ConfigSection s = Parse("a: 1.5\nb: 99999999999999999999\nc: 0x10\n");
  EXPECT_EQ(s.Int("a", 9), 9);
  EXPECT_EQ(s.Int("b", 9), 9);
  EXPECT_EQ(s.Int("c", 9), 9);
  EXPECT_EQ(diags_.error_count(), 3u);
}

TEST_F(ConfigSectionTest, BoolAcceptsYamlSpellings) {
  ConfigSection s = Parse("a: true\nb: no\nc: on\nd: off\ne: maybe\n");
  EXPECT_TRUE(s.Bool("a", false));
  EXPECT_FALSE(s.Bool("b", true));
  EXPECT_TRUE(s.Bool("c", false));
  EXPECT_FALSE(s.Bool("d", true));
  EXPECT_TRUE(s.Bool("e", true));
  EXPECT_EQ(Only(), "5:4 E102");
}

TEST_F(ConfigSectionTest, DurationValue) {
  ConfigSection s = Parse("a: 30s\nb: 5m\nc: soon\nd: {x: 1}\ne: 45\n");
  EXPECT_EQ(s.DurationValue("a", seconds(1)), seconds(30));
  EXPECT_EQ(s.DurationValue("b", seconds(1)), minutes(5));
  EXPECT_EQ(s.DurationValue("e", seconds(1)), seconds(45));
  EXPECT_EQ(s.DurationValue("missing", seconds(3)), seconds(3));
  EXPECT_EQ(s.DurationValue("c", seconds(1)), seconds(1));
  EXPECT_EQ(s.DurationValue("d", seconds(1)), seconds(1));
  ASSERT_EQ(diags_.items().size(), 2u);
  EXPECT_EQ(diags_.items()[0].code, "E103");
  EXPECT_EQ(diags_.items()[1].code, "E102");
}

TEST_F(ConfigSectionTest, ByteSizeValue) {
  ConfigSection s = Parse("a: 512MiB\nb: 4096\nc: 2GB\nd: [1]\ne: 1.5GiB\nf: 1024TiB\ng: 2KiB\n");
  EXPECT_EQ(s.ByteSizeValue("a", 1), 512ull << 20);
  EXPECT_EQ(s.ByteSizeValue("b", 1), 4096u);
  EXPECT_EQ(s.ByteSizeValue("g", 1), 2048u);
  EXPECT_EQ(s.ByteSizeValue("missing", 7), 7u);
  EXPECT_EQ(s.ByteSizeValue("c", 1), 1u);  // decimal units are not guessed at
  EXPECT_EQ(s.ByteSizeValue("d", 1), 1u);
  EXPECT_EQ(s.ByteSizeValue("e", 1), 1u);
  EXPECT_EQ(s.ByteSizeValue("f", 1), 1u);  // 1 PiB: too large
  ASSERT_EQ(diags_.items().size(), 4u);
  EXPECT_EQ(diags_.items()[0].code, "E103");
  EXPECT_EQ(diags_.items()[0].location.line, 3);
  EXPECT_EQ(diags_.items()[1].code, "E102");
}

TEST(ParseByteSize, UnitsAndLimits) {
  EXPECT_EQ(ParseByteSize("0"), 0u);
  EXPECT_EQ(ParseByteSize("1B"), 1u);
  EXPECT_EQ(ParseByteSize("1TiB"), 1ull << 40);
  EXPECT_EQ(ParseByteSize("1023TiB"), 1023ull << 40);
  EXPECT_FALSE(ParseByteSize(""));
  EXPECT_FALSE(ParseByteSize("MiB"));
  EXPECT_FALSE(ParseByteSize("-1MiB"));
  EXPECT_FALSE(ParseByteSize("1 MiB"));
  EXPECT_FALSE(ParseByteSize("1mib"));
  EXPECT_FALSE(ParseByteSize("99999999999999999999"));
  EXPECT_FALSE(ParseByteSize("1125899906842624"));  // 1 PiB in bytes
}

TEST_F(ConfigSectionTest, EnumListsTheChoices) {
  ConfigSection s = Parse("a: json\nb: xml\n");
  EXPECT_EQ(s.Enum("a", "text", {"text", "json"}), "json");
  EXPECT_EQ(s.Enum("b", "text", {"text", "json"}), "text");
  EXPECT_EQ(Only(), "2:4 E103");
  EXPECT_NE(diags_.items()[0].message.find("text, json"), std::string::npos);
}

TEST_F(ConfigSectionTest, StringList) {
  ConfigSection s = Parse("a: [x, y]\nb: single\nc: {k: v}\nd:\n  - ok\n  - [nested]\n");
  EXPECT_EQ(s.StringList("a"), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(s.StringList("b"), (std::vector<std::string>{"single"}));
  EXPECT_TRUE(s.StringList("c").empty());
  EXPECT_EQ(s.StringList("d"), (std::vector<std::string>{"ok"}));
  EXPECT_TRUE(s.StringList("missing").empty());
  ASSERT_EQ(diags_.items().size(), 2u);
  EXPECT_EQ(diags_.items()[0].code, "E102");
  EXPECT_EQ(diags_.items()[1].code, "E102");  // the item itself is located
  EXPECT_EQ(diags_.items()[1].location.line, 6);
  EXPECT_EQ(diags_.items()[1].location.column, 5);
}

TEST_F(ConfigSectionTest, NestedSectionReportsUnknownKeysAtTheKey) {
  ConfigSection s = Parse("log:\n  level: info\n  colour: red\n");
  ConfigSection log = s.Section("log");
  EXPECT_EQ(log.String("level"), "info");
  log.Finish();
  s.Finish();
  EXPECT_EQ(Only(), "3:3 E101");
  EXPECT_EQ(diags_.items()[0].message, "unknown key 'colour'");
  EXPECT_EQ(diags_.items()[0].location.file, "f.yaml");
}

TEST_F(ConfigSectionTest, SectionOfWrongTypeIsE102AndEmpty) {
  ConfigSection s = Parse("log: loud\nempty:\n");
  ConfigSection log = s.Section("log");
  EXPECT_EQ(log.String("level", "info"), "info");
  ConfigSection empty = s.Section("empty");
  EXPECT_FALSE(empty.Has("x"));
  log.Finish();
  empty.Finish();
  EXPECT_EQ(Only(), "1:6 E102");
}

TEST_F(ConfigSectionTest, SectionListNeedsMaps) {
  ConfigSection s = Parse("c:\n  - type: a\n  - plain\n  - type: b\n");
  std::vector<ConfigSection> items = s.SectionList("c");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].String("type"), "b");
  EXPECT_EQ(Only(), "3:5 E102");
  Diagnostics d2;
  ConfigSection s2(YAML::Load("c: {type: a}\n"), "f.yaml", d2);
  EXPECT_TRUE(s2.SectionList("c").empty());
  EXPECT_EQ(d2.error_count(), 1u);
}

TEST_F(ConfigSectionTest, DuplicateKeyIsE105AtTheSecond) {
  ConfigSection s = Parse("a: 1\nb: 2\na: 3\n");
  EXPECT_EQ(Only(), "3:1 E105");
  EXPECT_EQ(diags_.items()[0].message, "duplicate key 'a'");
  (void)s;
}

TEST_F(ConfigSectionTest, NonMapRootIsE102) {
  ConfigSection s = Parse("- a\n- b\n");
  EXPECT_EQ(s.String("a", "d"), "d");
  s.Finish();
  EXPECT_EQ(Only(), "1:1 E102");
}

TEST_F(ConfigSectionTest, NonScalarKeyIsE102) {
  ConfigSection s = Parse("? [a, b]\n: 1\n");
  s.Finish();
  ASSERT_EQ(diags_.error_count(), 1u);
  EXPECT_EQ(diags_.items()[0].code, "E102");
}

TEST_F(ConfigSectionTest, WhereAndHas) {
  ConfigSection s = Parse("a:   value\nb:\nnested:\n  x: 1\n");
  EXPECT_TRUE(s.Has("a"));
  EXPECT_FALSE(s.Has("z"));
  EXPECT_EQ(s.Where("a").line, 1);
  EXPECT_EQ(s.Where("a").column, 6);  // the value
  EXPECT_EQ(s.Where("b").line, 2);    // a null value: the key
  EXPECT_EQ(s.Where("b").column, 1);
  EXPECT_EQ(s.Where("z").line, 1);  // missing: the section
  s.BadValue("a", "no good");
  EXPECT_EQ(Only(), "1:6 E103");
  EXPECT_EQ(diags_.items()[0].message, "'a': no good");
}

TEST_F(ConfigSectionTest, FinishIgnoresReadKeysEvenWhenBad) {
  ConfigSection s = Parse("a: x\nb: y\n");
  (void)s.Int("a", 0);
  (void)s.String("b");
  s.Finish();
  EXPECT_EQ(Only(), "1:4 E102");
}

TEST(ParseDurationTest, Units) {
  EXPECT_EQ(ParseDuration("90s"), nanoseconds(seconds(90)));
  EXPECT_EQ(ParseDuration("15m"), nanoseconds(minutes(15)));
  EXPECT_EQ(ParseDuration("2h"), nanoseconds(hours(2)));
  EXPECT_EQ(ParseDuration("7d"), nanoseconds(hours(7 * 24)));
  EXPECT_EQ(ParseDuration("2w"), nanoseconds(hours(14 * 24)));
  EXPECT_EQ(ParseDuration("500ms"), nanoseconds(milliseconds(500)));
  EXPECT_EQ(ParseDuration("10"), nanoseconds(seconds(10)));
  EXPECT_EQ(ParseDuration("0s"), nanoseconds(0));
}

TEST(ParseDurationTest, Rejects) {
  for (const char* bad : {"", "s", "-1s", "1x", "1.5h", " 1s", "1s ", "1 s", "h1", "1sec",
                          "99999999999999999999s", "999999999999d"}) {
    EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace vigil
