// The config keys shared by the file-reading access collectors (auth_log, journal_json):
//
//   path            the file to read; required unless the collector has a default path
//   start_at        beginning | end | saved (default saved: resume from the position saved
//                   in <state_dir>/offsets/<name>.json, else the end). Replay always reads
//                   from the beginning and neither loads nor saves positions.
//   follow          keep reading as the file grows and rotates (default: true live,
//                   false in replay)
//   poll_interval   how often a followed file at its end is checked when polling, and how
//                   long the writer of a renamed file is given to let go of it (250ms)
//   inotify         wake on inotify events rather than every poll_interval (default true;
//                   false forces polling)
//   max_line_bytes  256..67108864 (default 65536); longer lines are skipped, not buffered
//
// And the key of every collector that reads sshd/login messages (auth_log, journal_json,
// journald):
//
//   redact_unknown_users  suspect | all | none (default suspect): ReadUserRedaction in
//                         user_redaction.h
#pragma once

#include <string_view>

#include "file_tailer.h"
#include "user_redaction.h"
#include "vigil/collector.h"
#include "vigil/config_section.h"

namespace vigil::access {

// Reads the keys above into `out` (diagnostics go to the section). Does not call Finish.
// `default_path`: the path when none is given (empty: `path` is required).
void ReadTailOptions(ConfigSection& section, const CollectorEnv& env, TailOptions* out,
                     std::string_view default_path = {});

}  // namespace vigil::access
