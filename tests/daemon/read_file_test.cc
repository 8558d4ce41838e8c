// ReadRegularFile: regular files are read whole; FIFOs, directories, devices and sockets are
// refused at once (never waited on), as are files over the size limit.
#include "vigil/read_file.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "support/test_support.h"

namespace vigil {
namespace {

TEST(ReadRegularFile, ReadsARegularFileWhole) {
  testing::TempDir dir;
  const std::string text = std::string("a: 1\n\0b\xff\n", 9) + std::string(200000, 'x');
  auto r = ReadRegularFile(dir.Write("f.yaml", text), 1 << 20);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, text);
  auto empty = ReadRegularFile(dir.Write("e.yaml", ""), 10);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");
}

TEST(ReadRegularFile, FollowsSymlinksToRegularFiles) {
  testing::TempDir dir;
  const std::string target = dir.Write("t.yaml", "x: 1\n");
  ASSERT_EQ(symlink(target.c_str(), dir.File("link.yaml").c_str()), 0);
  auto r = ReadRegularFile(dir.File("link.yaml"), 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "x: 1\n");
}

TEST(ReadRegularFile, RefusesWhatIsNotARegularFileWithoutWaiting) {
  testing::TempDir dir;
  const std::string fifo = dir.File("fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto f = ReadRegularFile(fifo, 100);  // no writer: a blocking open would never return
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(f.status().message(), "is a FIFO (named pipe), not a regular file");

  auto d = ReadRegularFile(dir.path(), 100);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(), "is a directory, not a regular file");

  auto z = ReadRegularFile("/dev/zero", 100);  // would stream forever
  ASSERT_FALSE(z.ok());
  EXPECT_EQ(z.status().message(), "is a character device, not a regular file");

  const std::string sock = dir.File("sock");
  const int s = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, sock.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  auto so = ReadRegularFile(sock, 100);
  close(s);
  ASSERT_FALSE(so.ok());
  EXPECT_EQ(so.status().message(), "is a socket, not a regular file");
}

TEST(ReadRegularFile, TheNullDeviceIsEmptyOnlyWhenAsked) {
  auto refused = ReadRegularFile("/dev/null", 100);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "is a character device, not a regular file");
  auto empty = ReadRegularFile("/dev/null", 100, NullDevice::kEmpty);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(*empty, "");
  EXPECT_FALSE(ReadRegularFile("/dev/zero", 100, NullDevice::kEmpty).ok());  // only the null device
}

TEST(ReadRegularFile, MissingAndDanglingAreNotFound) {
  testing::TempDir dir;
  auto m = ReadRegularFile(dir.File("none.yaml"), 100);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(m.status().message(), "No such file or directory");
  ASSERT_EQ(symlink("/nonexistent/vigil/x", dir.File("dangling").c_str()), 0);
  auto l = ReadRegularFile(dir.File("dangling"), 100);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), StatusCode::kNotFound);
}

TEST(ReadRegularFile, RefusesFilesOverTheLimit) {
  testing::TempDir dir;
  const std::string path = dir.Write("big.yaml", std::string(2048, '#'));
  auto r = ReadRegularFile(path, 1024);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "over the limit of 1 KiB");
  EXPECT_TRUE(ReadRegularFile(path, 2048).ok());  // exactly at the limit
  EXPECT_EQ(SizeLimitText(size_t{4} << 20), "4 MiB");
  EXPECT_EQ(SizeLimitText(1000), "1000 bytes");
}

}  // namespace
}  // namespace vigil
