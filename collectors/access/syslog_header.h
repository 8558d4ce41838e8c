// Syslog headers: the part of a log line before the message, in the three forms that
// /var/log/auth.log and /var/log/secure use.
//
//   BSD (RFC 3164)   `Mmm dd HH:MM:SS [host] prog[pid]: message` — no year, no zone; the day
//                    may be space-padded (`Jul  3`) or not (`Feb 7`); host, pid and even the
//                    colon after the tag are optional (`[sshd] message` is seen in the wild);
//   RFC 3339 prefix  `2026-03-01T10:00:00.123456+01:00 host prog[pid]: message` (rsyslog's
//                    RSYSLOG_FileFormat); fraction and offset colon optional;
//   RFC 5424         `<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD...] MSG`, `-` for nil
//                    values, structured data skipped (quoted values may contain `\]`, `\"`).
// A `<PRI>` prefix before a BSD or RFC 3339 header is accepted and ignored, and a Solaris
// `[ID 800047 auth.info] ` message prefix is removed from the message. sudo's own log file
// (`Mmm dd HH:MM:SS [YYYY ]: USER : ...`, no host or tag) gives program `sudo`; its year,
// when written (log_year), is used as is.
//
// The BSD form has no year. YearInference picks it from a reference instant (now, live;
// the file's mtime or `--now`, replay): the line's date in the reference's year, unless
// that lies more than two days after the reference, in which case it is the previous
// year (a December line read in January); February 29 when the reference's year has none
// is also the previous year's (and refused if that has none either). BSD times are local times: the inference carries the UTC
// offset to subtract (the host's offset at start-up by default).
//
// Parsing is a hand-written scan over string_view: no regex, no allocation. Every view in
// a SyslogHeader points into the line that was parsed. Pure functions; any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "vigil/event.h"

namespace vigil::access {

struct SyslogHeader {
  Timestamp time{};        // UTC
  bool has_time = false;   // false for `HOST PROG[PID]: MSG` lines (journal text)
  std::string_view host;   // empty when the line names none
  std::string_view program;
  int64_t pid = -1;        // -1 when the line names none
  std::string_view message;
};

class YearInference {
 public:
  // `reference`: the instant lines are assumed not to follow by more than two days.
  // `utc_offset`: what local time is ahead of UTC (e.g. +1h for CET).
  YearInference(Timestamp reference, std::chrono::seconds utc_offset);
  // The host's current zone offset, from localtime_r.
  static std::chrono::seconds LocalUtcOffset();

  // The UTC instant of a BSD date and time; nullopt for an impossible date.
  std::optional<Timestamp> Resolve(unsigned month, unsigned day, unsigned hour, unsigned minute,
                                   unsigned second) const;
  // The same local time in a given year (lines that carry their year).
  std::optional<Timestamp> InYear(int year, unsigned month, unsigned day, unsigned hour,
                                  unsigned minute, unsigned second) const;

 private:
  int ref_year_;
  std::chrono::sys_seconds ref_local_;  // the reference in local time
  std::chrono::seconds offset_;
};

// Parses any of the forms above. nullopt when the line has no recognisable header.
std::optional<SyslogHeader> ParseSyslogHeader(std::string_view line, const YearInference& years);

// Parses `[host] prog[pid]: message` (what follows the timestamp, and the form that
// `journalctl -o short` without time and fail2ban's journal corpus use). False when no
// program tag is found; `out->message` then holds the text after the host.
bool ParseHostAndTag(std::string_view text, SyslogHeader* out);

}  // namespace vigil::access
