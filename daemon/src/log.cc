#include "vigil/log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include <nlohmann/json.hpp>

namespace vigil {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::atomic<LogFormat> g_format{LogFormat::kText};

std::string_view LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kNotice: return "notice";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

// sd-daemon(3) priorities.
int JournalPriority(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug: return 7;
    case LogLevel::kInfo: return 6;
    case LogLevel::kNotice: return 5;
    case LogLevel::kWarning: return 4;
    case LogLevel::kError: return 3;
  }
  return 6;
}

std::string NowRfc3339() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];  // room for any int the format could print (gcc -Wformat-truncation)
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

bool ParseLogLevel(std::string_view text, LogLevel* out) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kNotice, LogLevel::kWarning,
                     LogLevel::kError}) {
    if (LevelName(l) == text) {
      *out = l;
      return true;
    }
  }
  return false;
}

LogFormat DetectLogFormat(LogFormat requested) {
  // $JOURNAL_STREAM is "DEVICE:INODE" of the stream journald connected us to.
  const char* js = std::getenv("JOURNAL_STREAM");
  if (js == nullptr) return requested;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(js, "%llu:%llu", &dev, &ino) != 2) return requested;
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) != 0) return requested;
  if (static_cast<unsigned long long>(st.st_dev) == dev &&
      static_cast<unsigned long long>(st.st_ino) == ino) {
    return LogFormat::kJournal;
  }
  return requested;
}

void SetLogLevel(LogLevel level) { g_level.store(level); }
void SetLogFormat(LogFormat format) { g_format.store(format); }
bool LogEnabled(LogLevel level) { return level >= g_level.load(std::memory_order_relaxed); }

void Log(LogLevel level, std::string_view message) {
  if (!LogEnabled(level)) return;
  std::string line;
  switch (g_format.load(std::memory_order_relaxed)) {
    case LogFormat::kJournal:
      line = "<" + std::to_string(JournalPriority(level)) + ">";
      line += message;
      break;
    case LogFormat::kJson: {
      nlohmann::json j = {{"@timestamp", NowRfc3339()},
                          {"log.level", LevelName(level)},
                          {"message", message}};
      line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      break;
    }
    case LogFormat::kText:
      line = NowRfc3339();
      line += ' ';
      line += LevelName(level);
      line += ": ";
      line += message;
      break;
  }
  // One message is one line: fold embedded newlines.
  for (char& c : line) {
    if (c == '\n') c = ' ';
  }
  line += '\n';
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = write(STDERR_FILENO, line.data() + off, line.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
}

}  // namespace vigil
