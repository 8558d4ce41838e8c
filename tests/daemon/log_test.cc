// Logging: level parsing and filtering, the text/json/journal line formats as written to
// fd 2, newline folding, and journald detection through $JOURNAL_STREAM.
#include "vigil/log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/test_support.h"

namespace vigil {
namespace {

// Points fd 2 at a temporary file while alive; Take() restores fd 2 and returns what was
// written. The logger writes with write(2), so this sees exactly its bytes.
class StderrCapture {
 public:
  StderrCapture() : path_(dir_.File("stderr")) {
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    EXPECT_GE(saved_, 0);
    EXPECT_GE(fd, 0);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  ~StderrCapture() { Restore(); }
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;

  std::string Take() {
    Restore();
    return testing::ReadFile(path_);
  }

 private:
  void Restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    saved_ = -1;
  }

  testing::TempDir dir_;
  std::string path_;
  int saved_ = -1;
};

std::string Capture(const std::function<void()>& fn) {
  StderrCapture cap;
  fn();
  return cap.Take();
}

// True for "YYYY-MM-DDTHH:MM:SS.mmmZ" (digits where the pattern has letters).
bool IsRfc3339Millis(std::string_view s) {
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (s.size() != kShape.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool ok = kShape[i] == 'd' ? (s[i] >= '0' && s[i] <= '9') : s[i] == kShape[i];
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Restores the process-wide logger and $JOURNAL_STREAM after each test.
class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* js = std::getenv("JOURNAL_STREAM");
    if (js != nullptr) saved_journal_stream_ = js;
    ::unsetenv("JOURNAL_STREAM");
    SetLogLevel(LogLevel::kDebug);
    SetLogFormat(LogFormat::kText);
  }
  void TearDown() override {
    SetLogLevel(LogLevel::kInfo);
    SetLogFormat(LogFormat::kText);
    if (saved_journal_stream_) {
      ::setenv("JOURNAL_STREAM", saved_journal_stream_->c_str(), 1);
    } else {
      ::unsetenv("JOURNAL_STREAM");
    }
  }

 private:
  std::optional<std::string> saved_journal_stream_;
};

TEST_F(LogTest, ParseLogLevel) {
  struct Case {
    const char* text;
    LogLevel level;
  };
  for (const Case& c : {Case{"debug", LogLevel::kDebug}, Case{"info", LogLevel::kInfo},
                        Case{"notice", LogLevel::kNotice}, Case{"warning", LogLevel::kWarning},
                        Case{"error", LogLevel::kError}}) {
    LogLevel out = LogLevel::kError;
    if (c.level == LogLevel::kError) out = LogLevel::kDebug;
    ASSERT_TRUE(ParseLogLevel(c.text, &out)) << c.text;
    EXPECT_EQ(out, c.level) << c.text;
  }
  for (const char* bad : {"", "warn", "WARNING", "Info", "err", "critical", "debug ", "trace"}) {
    LogLevel out = LogLevel::kNotice;
    EXPECT_FALSE(ParseLogLevel(bad, &out)) << "'" << bad << "'";
    EXPECT_EQ(out, LogLevel::kNotice) << "output changed on failure for '" << bad << "'";
  }
}

TEST_F(LogTest, LevelFiltering) {
  SetLogLevel(LogLevel::kWarning);
  EXPECT_FALSE(LogEnabled(LogLevel::kDebug));
  EXPECT_FALSE(LogEnabled(LogLevel::kInfo));
  EXPECT_FALSE(LogEnabled(LogLevel::kNotice));
  EXPECT_TRUE(LogEnabled(LogLevel::kWarning));
  EXPECT_TRUE(LogEnabled(LogLevel::kError));

  std::string out = Capture([] {
    Log(LogLevel::kDebug, "d");
    Log(LogLevel::kInfo, "i");
    Log(LogLevel::kNotice, "n");
    Log(LogLevel::kWarning, "w");
    Log(LogLevel::kError, "e");
  });
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 2u) << out;
  EXPECT_NE(lines[0].find("warning: w"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("error: e"), std::string::npos) << lines[1];

  SetLogLevel(LogLevel::kDebug);
  EXPECT_TRUE(LogEnabled(LogLevel::kDebug));
  EXPECT_EQ(Lines(Capture([] { Log(LogLevel::kDebug, "d"); })).size(), 1u);
}

TEST_F(LogTest, MacroSkipsFormattingBelowLevel) {
  SetLogLevel(LogLevel::kError);
  int evaluated = 0;
  auto expensive = [&] {
    ++evaluated;
    return "value";
  };
  std::string out = Capture([&] {
    VIGIL_LOG(kInfo) << "not shown " << expensive();
    VIGIL_LOG(kError) << "shown " << expensive() << " " << 42;
  });
  EXPECT_EQ(evaluated, 1);
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 1u) << out;
  EXPECT_NE(lines[0].find("error: shown value 42"), std::string::npos) << lines[0];
}

TEST_F(LogTest, MacroInIfElseBindsCorrectly) {
  // The macro expands to an if/else; an enclosing if/else must still pair up as written.
  bool flag = false;
  std::string out = Capture([&] {
    if (flag)
      VIGIL_LOG(kError) << "wrong branch";
    else
      VIGIL_LOG(kError) << "right branch";
  });
  EXPECT_EQ(out.find("wrong branch"), std::string::npos);
  EXPECT_NE(out.find("right branch"), std::string::npos);
}

TEST_F(LogTest, TextFormat) {
  std::string out = Capture([] { Log(LogLevel::kWarning, "disk almost full"); });
  constexpr std::string_view kRest = " warning: disk almost full\n";
  ASSERT_EQ(out.size(), 24 + kRest.size()) << out;
  EXPECT_TRUE(IsRfc3339Millis(std::string_view(out).substr(0, 24))) << out;
  EXPECT_EQ(out.substr(24), kRest) << out;
  // The timestamp is now, within any sane clock skew (year check only: no timing).
  EXPECT_GE(std::stoi(out.substr(0, 4)), 2024) << out;
}

TEST_F(LogTest, TextFormatLevelNames) {
  std::string out = Capture([] {
    Log(LogLevel::kDebug, "a");
    Log(LogLevel::kInfo, "b");
    Log(LogLevel::kNotice, "c");
    Log(LogLevel::kError, "d");
  });
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_NE(lines[0].find(" debug: a"), std::string::npos);
  EXPECT_NE(lines[1].find(" info: b"), std::string::npos);
  EXPECT_NE(lines[2].find(" notice: c"), std::string::npos);
  EXPECT_NE(lines[3].find(" error: d"), std::string::npos);
}

TEST_F(LogTest, JsonFormat) {
  SetLogFormat(LogFormat::kJson);
  std::string out = Capture([] { Log(LogLevel::kError, "store \"main\" failed\nretrying"); });
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 1u) << out;  // one object per line, the newline is escaped
  nlohmann::json j = nlohmann::json::parse(lines[0], nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded()) << lines[0];
  EXPECT_EQ(j.at("log.level"), "error");
  EXPECT_EQ(j.at("message"), "store \"main\" failed\nretrying");
  ASSERT_TRUE(j.at("@timestamp").is_string());
  EXPECT_TRUE(IsRfc3339Millis(j.at("@timestamp").get<std::string>())) << j.at("@timestamp");
}

TEST_F(LogTest, JsonFormatSurvivesInvalidUtf8) {
  SetLogFormat(LogFormat::kJson);
  std::string out = Capture([] { Log(LogLevel::kWarning, std::string("bad \xff\xfe bytes")); });
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 1u) << out;
  nlohmann::json j = nlohmann::json::parse(lines[0], nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << lines[0];
  EXPECT_EQ(j.at("log.level"), "warning");
  EXPECT_EQ(j.at("message").get<std::string>().rfind("bad ", 0), 0u);
}

TEST_F(LogTest, JournalFormat) {
  SetLogFormat(LogFormat::kJournal);
  EXPECT_EQ(Capture([] { Log(LogLevel::kWarning, "msg"); }), "<4>msg\n");
  EXPECT_EQ(Capture([] { Log(LogLevel::kError, "e"); }), "<3>e\n");
  EXPECT_EQ(Capture([] { Log(LogLevel::kNotice, "n"); }), "<5>n\n");
  EXPECT_EQ(Capture([] { Log(LogLevel::kInfo, "i"); }), "<6>i\n");
  EXPECT_EQ(Capture([] { Log(LogLevel::kDebug, "d"); }), "<7>d\n");
}

TEST_F(LogTest, NewlinesAreFolded) {
  SetLogFormat(LogFormat::kJournal);
  EXPECT_EQ(Capture([] { Log(LogLevel::kWarning, "line one\nline two\n"); }),
            "<4>line one line two \n");
  SetLogFormat(LogFormat::kText);
  std::string out = Capture([] { Log(LogLevel::kInfo, "a\nb\nc"); });
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 1u) << out;
  EXPECT_NE(lines[0].find("info: a b c"), std::string::npos) << lines[0];
}

TEST_F(LogTest, EmptyAndLongMessages) {
  SetLogFormat(LogFormat::kJournal);
  EXPECT_EQ(Capture([] { Log(LogLevel::kInfo, ""); }), "<6>\n");
  std::string big(1 << 20, 'x');
  std::string out = Capture([&] { Log(LogLevel::kInfo, big); });
  EXPECT_EQ(out, "<6>" + big + "\n");
}

TEST_F(LogTest, ConcurrentLinesStayWhole) {
  SetLogFormat(LogFormat::kJournal);
  constexpr int kThreads = 4;
  constexpr int kLines = 300;
  std::string out = Capture([] {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([t] {
        std::string payload(200, static_cast<char>('a' + t));
        for (int i = 0; i < kLines; ++i) Log(LogLevel::kInfo, payload);
      });
    }
    for (auto& th : threads) th.join();
  });
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), size_t{kThreads * kLines});
  for (const std::string& line : lines) {
    ASSERT_EQ(line.size(), 203u) << line;
    ASSERT_EQ(line.substr(0, 3), "<6>");
    EXPECT_EQ(line.find_first_not_of(line[3], 3), std::string::npos) << "interleaved: " << line;
  }
}

// --- DetectLogFormat ---------------------------------------------------------------------

std::string StreamId(int fd) {
  struct stat st {};
  EXPECT_EQ(::fstat(fd, &st), 0);
  return std::to_string(static_cast<unsigned long long>(st.st_dev)) + ":" +
         std::to_string(static_cast<unsigned long long>(st.st_ino));
}

TEST_F(LogTest, DetectJournalWhenStreamMatchesStderr) {
  StderrCapture cap;  // a known file on fd 2
  ::setenv("JOURNAL_STREAM", StreamId(STDERR_FILENO).c_str(), 1);
  EXPECT_EQ(DetectLogFormat(LogFormat::kText), LogFormat::kJournal);
  EXPECT_EQ(DetectLogFormat(LogFormat::kJson), LogFormat::kJournal);
}

TEST_F(LogTest, DetectKeepsRequestedOtherwise) {
  StderrCapture cap;
  struct stat st {};
  ASSERT_EQ(::fstat(STDERR_FILENO, &st), 0);
  const auto dev = static_cast<unsigned long long>(st.st_dev);
  const auto ino = static_cast<unsigned long long>(st.st_ino);

  // Not set: whatever was asked for.
  ::unsetenv("JOURNAL_STREAM");
  EXPECT_EQ(DetectLogFormat(LogFormat::kText), LogFormat::kText);
  EXPECT_EQ(DetectLogFormat(LogFormat::kJson), LogFormat::kJson);

  // Set, but naming another stream (a child that inherited the variable, stderr redirected).
  testing::TempDir dir;
  std::string other = dir.Write("other", "");
  int fd = ::open(other.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ::setenv("JOURNAL_STREAM", StreamId(fd).c_str(), 1);
  ::close(fd);
  EXPECT_EQ(DetectLogFormat(LogFormat::kText), LogFormat::kText);
  EXPECT_EQ(DetectLogFormat(LogFormat::kJson), LogFormat::kJson);

  // Same device, other inode; same inode, other device.
  ::setenv("JOURNAL_STREAM", (std::to_string(dev) + ":" + std::to_string(ino + 1)).c_str(), 1);
  EXPECT_EQ(DetectLogFormat(LogFormat::kText), LogFormat::kText);
  ::setenv("JOURNAL_STREAM", (std::to_string(dev + 1) + ":" + std::to_string(ino)).c_str(), 1);
  EXPECT_EQ(DetectLogFormat(LogFormat::kText), LogFormat::kText);

  // Malformed values.
  for (const char* bad : {"", ":", "garbage", "12", "12:", ":34", "x:y"}) {
    ::setenv("JOURNAL_STREAM", bad, 1);
    EXPECT_EQ(DetectLogFormat(LogFormat::kText), LogFormat::kText) << "'" << bad << "'";
  }
}

}  // namespace
}  // namespace vigil
