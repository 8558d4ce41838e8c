// Logging for the daemon and every component: one line per message on stderr.
//
// Formats: text ("2026-11-23T10:00:00.123Z warning: message"), json (one object per line),
// and journal ("<4>message", the sd-daemon priority prefix journald understands), chosen
// automatically when stderr is the stream named by $JOURNAL_STREAM. Thread-safe: a line is
// written with one write(2) call. Messages below the configured level are not formatted.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace vigil {

enum class LogLevel { kDebug = 0, kInfo, kNotice, kWarning, kError };
enum class LogFormat { kText, kJson, kJournal };

// Reads "debug|info|notice|warning|error"; false when unknown.
bool ParseLogLevel(std::string_view text, LogLevel* out);
// kJournal when stderr is the stream named by $JOURNAL_STREAM, otherwise `requested`.
LogFormat DetectLogFormat(LogFormat requested);

void SetLogLevel(LogLevel level);
void SetLogFormat(LogFormat format);
bool LogEnabled(LogLevel level);
void Log(LogLevel level, std::string_view message);

// Builds one message with <<, emitted when it goes out of scope.
class LogLine {
 public:
  explicit LogLine(LogLevel level) : level_(level) {}
  ~LogLine() { Log(level_, os_.str()); }
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;
  template <typename T>
  LogLine& operator<<(const T& v) {
    os_ << v;
    return *this;
  }

 private:
  LogLevel level_;
  std::ostringstream os_;
};

// Turns `LogLine(...) << a << b` into a void expression for VIGIL_LOG's conditional.
struct LogVoidify {
  void operator&(const LogLine&) const {}
};

}  // namespace vigil

// VIGIL_LOG(kWarning) << "text " << value;  An expression, safe inside an unbraced if/else;
// the arguments are not evaluated when the level is disabled.
#define VIGIL_LOG(level)                                       \
  !::vigil::LogEnabled(::vigil::LogLevel::level) ? (void)0     \
                                                 : ::vigil::LogVoidify() & \
                                                       ::vigil::LogLine(::vigil::LogLevel::level)
