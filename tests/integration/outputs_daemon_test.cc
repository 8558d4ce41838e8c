// Outputs through the running daemon: `vigil run` with a file output and a stdout output
// filtered by severity; every alert reaches the file with its store id, only the high ones
// reach stdout, and after logrotate-style renaming SIGUSR1 makes the file output start a new
// file without losing an alert.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;
using testing::Process;
using testing::ReadFile;
using testing::TempDir;
using testing::VigilBinary;

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

void Append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app);
  out << text;
}

TEST(OutputsDaemonTest, FileAndStdoutOutputsWithSigusr1Reopen) {
  TempDir dir;
  mkdir(dir.File("rules").c_str(), 0755);
  dir.Write("rules/r.yaml", R"(
- rule: test.word
  name: Word seen
  severity: low
  condition: message startswith word
  output: "saw {message}"
- rule: test.alarm
  name: Alarm seen
  severity: high
  condition: message startswith alarm
  output: "alarm {message}"
)");
  dir.Write("events.jsonl", "");
  const std::string alerts = dir.File("alerts.jsonl");
  const std::string cfg = dir.Write(
      "vigil.yaml", "state_dir: " + dir.File("state") + "\nmetrics:\n  enabled: false\n"
                    "rules:\n  paths: [\"" + dir.File("rules") + "/*.yaml\"]\n"
                    "outputs:\n"
                    "  - type: file\n    path: " + alerts + "\n"
                    "  - type: stdout\n    min_severity: high\n"
                    "collectors:\n  - type: jsonl\n    name: app\n    path: " + dir.File("events.jsonl") +
                    "\n    start_at: beginning\n    poll_interval: 50ms\n");
  const std::string out = dir.File("stdout.log");
  Process vigil({VigilBinary(), "run", "-c", cfg}, dir.File("stderr.log"), out);

  Append(dir.File("events.jsonl"), "{\"message\":\"word1\"}\n{\"message\":\"alarm1\"}\n{\"message\":\"word2\"}\n");
  ASSERT_TRUE(Eventually([&] { return JsonLines(ReadFile(alerts)).size() == 3; }, 20s))
      << ReadFile(alerts) << ReadFile(dir.File("stderr.log"));
  auto first = JsonLines(ReadFile(alerts));
  for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(first[i]["vigil"]["alert"]["id"], i + 1);
  ASSERT_TRUE(Eventually([&] { return JsonLines(ReadFile(out)).size() == 1; }));
  EXPECT_EQ(JsonLines(ReadFile(out))[0]["rule"]["id"], "test.alarm");

  // logrotate: rename, then SIGUSR1; the next alerts go to a new file at the old path.
  ASSERT_EQ(std::rename(alerts.c_str(), (alerts + ".1").c_str()), 0);
  vigil.Signal(SIGUSR1);
  ASSERT_TRUE(Eventually([&] { return ReadFile(dir.File("stderr.log")).find("reopening output files") != std::string::npos; }));
  Append(dir.File("events.jsonl"), "{\"message\":\"word3\"}\n{\"message\":\"alarm2\"}\n");
  ASSERT_TRUE(Eventually([&] { return JsonLines(ReadFile(alerts)).size() == 2; }, 20s))
      << ReadFile(dir.File("stderr.log"));
  auto second = JsonLines(ReadFile(alerts));
  EXPECT_EQ(second[0]["vigil"]["alert"]["id"], 4);
  EXPECT_EQ(second[1]["vigil"]["alert"]["id"], 5);
  EXPECT_EQ(JsonLines(ReadFile(alerts + ".1")).size(), 3u);  // nothing lost, nothing moved

  vigil.Signal(SIGTERM);
  int code = -1;
  ASSERT_TRUE(vigil.Wait(20s, &code));
  EXPECT_EQ(code, 0) << ReadFile(dir.File("stderr.log"));
  EXPECT_EQ(JsonLines(ReadFile(out)).size(), 2u);
}

// SIGHUP with a changed `outputs:` switches to the new outputs (alerts go to the new file, no
// longer to the old one, none lost between them); a reload whose outputs cannot be built is
// refused and the running outputs stay.
TEST(OutputsDaemonTest, ReloadReplacesOutputsAndRefusesBadOnes) {
  TempDir dir;
  mkdir(dir.File("rules").c_str(), 0755);
  dir.Write("rules/r.yaml", R"(
- rule: test.word
  name: Word seen
  severity: low
  condition: message startswith word
  output: "saw {message}"
)");
  dir.Write("events.jsonl", "");
  const std::string a = dir.File("a.jsonl"), b = dir.File("b.jsonl");
  auto config = [&](const std::string& outputs) {
    return dir.Write("vigil.yaml", "state_dir: " + dir.File("state") + "\nmetrics:\n  enabled: false\n"
                                   "rules:\n  paths: [\"" + dir.File("rules") + "/*.yaml\"]\n"
                                   "outputs:\n" + outputs +
                                   "collectors:\n  - type: jsonl\n    name: app\n    path: " + dir.File("events.jsonl") +
                                   "\n    start_at: beginning\n    poll_interval: 50ms\n");
  };
  const std::string cfg = config("  - type: file\n    path: " + a + "\n");
  Process vigil({VigilBinary(), "run", "-c", cfg}, dir.File("stderr.log"));
  Append(dir.File("events.jsonl"), "{\"message\":\"word1\"}\n{\"message\":\"word2\"}\n");
  ASSERT_TRUE(Eventually([&] { return JsonLines(ReadFile(a)).size() == 2; }, 20s)) << ReadFile(dir.File("stderr.log"));

  config("  - type: file\n    path: " + b + "\n");
  vigil.Signal(SIGHUP);
  ASSERT_TRUE(Eventually([&] { return ReadFile(dir.File("stderr.log")).find("outputs replaced") != std::string::npos; }))
      << ReadFile(dir.File("stderr.log"));
  Append(dir.File("events.jsonl"), "{\"message\":\"word3\"}\n");
  ASSERT_TRUE(Eventually([&] { return JsonLines(ReadFile(b)).size() == 1; }, 20s)) << ReadFile(dir.File("stderr.log"));
  EXPECT_EQ(JsonLines(ReadFile(b))[0]["vigil"]["alert"]["id"], 3);
  EXPECT_EQ(JsonLines(ReadFile(a)).size(), 2u);

  // An output entry that is invalid (a relative path): the reload is refused, b stays.
  config("  - type: file\n    path: relative/c.jsonl\n");
  vigil.Signal(SIGHUP);
  ASSERT_TRUE(Eventually([&] { return ReadFile(dir.File("stderr.log")).find("reload refused") != std::string::npos; }))
      << ReadFile(dir.File("stderr.log"));
  Append(dir.File("events.jsonl"), "{\"message\":\"word4\"}\n");
  ASSERT_TRUE(Eventually([&] { return JsonLines(ReadFile(b)).size() == 2; }, 20s)) << ReadFile(dir.File("stderr.log"));

  vigil.Signal(SIGTERM);
  int code = -1;
  ASSERT_TRUE(vigil.Wait(20s, &code));
  EXPECT_EQ(code, 0) << ReadFile(dir.File("stderr.log"));
}

}  // namespace
}  // namespace vigil
