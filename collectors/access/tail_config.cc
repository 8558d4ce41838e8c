#include "tail_config.h"

namespace vigil::access {

void ReadTailOptions(ConfigSection& section, const CollectorEnv& env, TailOptions* o,
                     std::string_view default_path) {
  const bool live = env.mode == RunMode::kLive;
  o->path = default_path.empty() ? section.RequiredString("path") : section.String("path", default_path);
  const std::string start = section.Enum("start_at", "saved", {"beginning", "end", "saved"});
  o->start_at = start == "beginning" ? StartAt::kBeginning
                : start == "end"     ? StartAt::kEnd
                                     : StartAt::kSaved;
  if (!live) o->start_at = StartAt::kBeginning;  // replay reads recorded input whole
  o->follow = section.Bool("follow", live);
  o->max_line_bytes = static_cast<size_t>(
      section.Int("max_line_bytes", int64_t{64} * 1024, 256, int64_t{64} << 20));
  const auto poll = section.DurationValue("poll_interval", std::chrono::milliseconds(250));
  if (poll < std::chrono::milliseconds(1) || poll > std::chrono::minutes(10)) {
    section.BadValue("poll_interval", "must be between 1ms and 10m");
  } else {
    o->poll_interval = std::chrono::duration_cast<std::chrono::milliseconds>(poll);
  }
  o->inotify = section.Bool("inotify", true);
  o->state_file = PositionStateFile(env);
  o->log_name = env.instance;
}

}  // namespace vigil::access
