// The stdout output (through a pipe in place of standard output) and the file output:
// JSON and text lines, and reopening after logrotate renamed the file (nothing lost).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>

#include "output_test_util.h"
#include "outputs/file_output.h"
#include "outputs/stdout_output.h"
#include "support/test_support.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;
using testing::MakeMessage;
using testing::ReadFile;
using testing::TempDir;
using testing::TestEnv;

std::string ReadAvailable(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

TEST(StdoutOutputTest, WritesJsonLines) {
  int p[2];
  ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
  {
    StdoutOutput out(TestEnv("stdout", "stdout"), AlertLineFormat::kJson, p[1]);
    ASSERT_TRUE(out.Start().ok());
    out.Submit(MakeMessage(1));
    out.Submit(MakeMessage(2));
    out.Stop(10s);
    EXPECT_EQ(out.sent(), 2u);
  }
  close(p[1]);
  EXPECT_EQ(ReadAvailable(p[0]), MakeMessage(1)->json + "\n" + MakeMessage(2)->json + "\n");
  close(p[0]);
}

TEST(StdoutOutputTest, WritesTextLinesWithControlCharactersEscaped) {
  int p[2];
  ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
  auto m = std::make_shared<AlertMessage>(*MakeMessage(3, AlertSeverity::kCritical));
  m->text = "login by ro\not\x01";
  {
    StdoutOutput out(TestEnv("stdout", "stdout"), AlertLineFormat::kText, p[1]);
    ASSERT_TRUE(out.Start().ok());
    out.Submit(m);
    out.Stop(10s);
  }
  close(p[1]);
  EXPECT_EQ(ReadAvailable(p[0]),
            "2026-03-01T10:00:00.123456789Z critical ssh_brute_force ledger-01: "
            "login by ro\\not\\x01\n");
  close(p[0]);
}

TEST(StdoutOutputTest, AClosedPipeIsRetriedThenCounted) {
  int p[2];
  ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
  close(p[0]);  // nobody reads: EPIPE (SIGPIPE is ignored by the daemon and here)
  std::signal(SIGPIPE, SIG_IGN);
  StdoutOutput out(TestEnv("stdout", "stdout"), AlertLineFormat::kJson, p[1]);
  ASSERT_TRUE(out.Start().ok());
  out.Submit(MakeMessage(1));
  out.Stop(10s);
  EXPECT_EQ(out.retries(), 2u);
  EXPECT_EQ(out.dropped(DropReason::kRetriesExhausted), 1u);
  EXPECT_FALSE(out.up());
  close(p[1]);
}

TEST(FileOutputTest, ReopenAfterRenameLosesNothing) {
  TempDir dir;
  const std::string path = dir.File("alerts.json");
  FileOutput out(TestEnv("file", "file"), FileOutputOptions{path, AlertLineFormat::kJson, 0600, true});
  ASSERT_TRUE(out.Start().ok());
  out.Submit(MakeMessage(1));
  out.Submit(MakeMessage(2));
  ASSERT_TRUE(Eventually([&] { return out.sent() == 2; }));
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // logrotate: rename, then SIGUSR1.
  ASSERT_EQ(std::rename(path.c_str(), dir.File("alerts.json.1").c_str()), 0);
  out.Reopen();
  out.Submit(MakeMessage(3));
  out.Stop(10s);
  EXPECT_EQ(out.sent(), 3u);
  EXPECT_EQ(ReadFile(dir.File("alerts.json.1")),
            MakeMessage(1)->json + "\n" + MakeMessage(2)->json + "\n");
  EXPECT_EQ(ReadFile(path), MakeMessage(3)->json + "\n");
}

TEST(FileOutputTest, AppendsToAnExistingFile) {
  TempDir dir;
  const std::string path = dir.Write("alerts.log", "earlier line\n");
  FileOutput out(TestEnv("file", "file"), FileOutputOptions{path, AlertLineFormat::kText, 0640, false});
  ASSERT_TRUE(out.Start().ok());
  out.Submit(MakeMessage(1, AlertSeverity::kLow));
  out.Stop(10s);
  EXPECT_EQ(ReadFile(path),
            "earlier line\n2026-03-01T10:00:00.123456789Z low ssh_brute_force ledger-01: "
            "5 failed logins for root from 203.0.113.9\n");
}

TEST(FileOutputTest, AnUnwritablePathIsRetriedAndCounted) {
  TempDir dir;
  FileOutput out(TestEnv("file", "file"),
                 FileOutputOptions{dir.File("missing/dir/alerts.json"), AlertLineFormat::kJson,
                                   0640, false});
  ASSERT_TRUE(out.Start().ok());
  out.Submit(MakeMessage(1));
  out.Stop(10s);
  EXPECT_EQ(out.sent(), 0u);
  EXPECT_EQ(out.retries(), 2u);
  EXPECT_EQ(out.dropped(DropReason::kRetriesExhausted), 1u);
}

}  // namespace
}  // namespace vigil
