// One entry of `journalctl -o json` output (one JSON object per line), reduced to what the
// access parsers need. Fields read:
//   MESSAGE                a string, or an array of byte values (journald's form for
//                          messages that are not valid UTF-8), decoded to bytes
//   SYSLOG_IDENTIFIER      the program; `_COMM` when absent
//   SYSLOG_PID / _PID      the pid (journald writes numbers as strings)
//   _HOSTNAME              host.name
//   __REALTIME_TIMESTAMP   microseconds since the epoch, as a string
// The fields journald itself adds are trusted as written: this reads exports, not a live
// journal (that is the journald collector's job, with sd-journal).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "syslog_header.h"
#include "vigil/status.h"

namespace vigil::access {

struct JournalEntry {
  std::string message;
  std::string identifier;
  std::string hostname;
  int64_t pid = -1;
  Timestamp time{};
  bool has_time = false;

  // A header whose views point into this entry.
  SyslogHeader Header() const;
};

// Bounds on the fields taken from an entry: a longer MESSAGE or program name makes the
// entry an error (counted as skipped), a longer host name is dropped.
inline constexpr size_t kMaxJournalMessageBytes = 64 * 1024;
inline constexpr size_t kMaxJournalNameBytes = 256;

// Looks up one field of an entry by name (MESSAGE, _PID, __REALTIME_TIMESTAMP...) and
// copies its bytes into *value; false when the entry has no such field (or it is unusable).
using JournalFieldLookup = std::function<bool(const char* name, std::string* value)>;

// Builds the parser input from an entry's fields, as described above. Shared by the JSON
// reader below and the live journald collector (sd-journal), so both feed the access
// parsers the same thing. Bounded: see the limits above; binary bytes are kept as bytes.
Status JournalEntryFromFields(const JournalFieldLookup& field, JournalEntry* out);

// Parses one line. A line without MESSAGE or without a program is an error (the caller
// counts it as skipped); so is anything that is not a JSON object.
Status ParseJournalJson(std::string_view line, JournalEntry* out);

}  // namespace vigil::access
