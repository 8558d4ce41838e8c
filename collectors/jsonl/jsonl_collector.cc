#include "jsonl_collector.h"

#include <sys/un.h>

#include <utility>

#include "event_json.h"
#include "vigil/ecs_fields.h"

namespace vigil::jsonl {
namespace {

bool Blank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f' && c != '\v') return false;
  }
  return true;
}

std::string Location(const std::string& where, uint64_t line_no) {
  return where + ":" + std::to_string(line_no);
}

class JsonlCollector : public Collector {
 public:
  explicit JsonlCollector(JsonlOptions options) : options_(std::move(options)) {}

  Status Run(CollectorContext& ctx) override {
    LineHandler handler(options_, ctx);
    switch (options_.source) {
      case SourceKind::kFile:
        return ReadFile(options_, ctx, handler);
      case SourceKind::kFifo:
        return ReadFifo(options_, ctx, handler);
      case SourceKind::kUnixSocket:
        return ServeUnixSocket(options_, ctx, handler);
    }
    return Status::Internal("unknown jsonl source");
  }

 private:
  JsonlOptions options_;
};

}  // namespace

bool LineHandler::Line(const std::string& where, uint64_t line_no, std::string_view line) {
  if (Blank(line)) return true;
  Result<Event> parsed = EventFromJson(line);
  if (!parsed.ok()) {
    ctx_.Skip(Location(where, line_no), parsed.status().message());
    return true;
  }
  Event event = std::move(parsed).value();
  if (!event.Has(ecs::kEventKind)) event.Set(ecs::kEventKind, std::string("event"));
  if (!event.Has(ecs::kTimestamp) && options_.mode == RunMode::kLive) {
    event.Set(ecs::kTimestamp,
              std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()));
  }
  // A refused event is counted by Emit. In replay it means the pipeline is closed.
  return ctx_.Emit(std::move(event)) || ctx_.mode() == RunMode::kLive;
}

void LineHandler::Overlong(const std::string& where, uint64_t line_no) {
  ctx_.Skip(Location(where, line_no),
            "line longer than " + std::to_string(options_.max_line_bytes) + " bytes");
}

bool LineSplitter::Feed(std::string_view data, LineHandler& handler) {
  while (!data.empty()) {
    const size_t newline = data.find('\n');
    const bool complete = newline != std::string_view::npos;
    const std::string_view piece = data.substr(0, complete ? newline : data.size());
    data.remove_prefix(complete ? newline + 1 : data.size());

    if (!discarding_ && pending_.size() + piece.size() > max_) {
      handler.Overlong(where_, line_ + 1);
      discarding_ = true;
      pending_.clear();
    }
    if (!complete) {
      if (!discarding_) pending_.append(piece);
      continue;
    }
    ++line_;
    bool go_on = true;
    if (!discarding_) {
      if (pending_.empty()) {
        go_on = handler.Line(where_, line_, piece);  // the common case: no copy
      } else {
        pending_.append(piece);
        go_on = handler.Line(where_, line_, pending_);
        pending_.clear();
      }
    }
    discarding_ = false;
    if (!go_on) return false;
  }
  return true;
}

bool LineSplitter::Finish(LineHandler& handler) {
  bool go_on = true;
  if (discarding_) {
    ++line_;  // the overlong last line was reported already
  } else if (!pending_.empty()) {
    ++line_;
    go_on = handler.Line(where_, line_, pending_);
  }
  pending_.clear();
  discarding_ = false;
  return go_on;
}

void LineSplitter::Restart() {
  pending_.clear();
  line_ = 0;
  discarding_ = false;
}

Status JsonlCollectorFactory::DeclareFields(FieldRegistry& fields) const {
  (void)fields;  // every field a JSON line can fill is an ECS one; the rest are extras
  return Status::Ok();
}

Result<std::unique_ptr<Collector>> JsonlCollectorFactory::Create(ConfigSection& section,
                                                                 const CollectorEnv& env) const {
  const size_t errors_before = section.diagnostics().error_count();
  JsonlOptions o;
  o.mode = env.mode;
  o.path = section.RequiredString("path");
  const std::string source = section.Enum("source", "file", {"file", "fifo", "unix_socket"});
  o.source = source == "fifo"          ? SourceKind::kFifo
             : source == "unix_socket" ? SourceKind::kUnixSocket
                                       : SourceKind::kFile;
  const std::string start_at = section.Enum("start_at", "saved", {"beginning", "end", "saved"});
  o.start_at = start_at == "beginning" ? StartAt::kBeginning
               : start_at == "end"     ? StartAt::kEnd
                                       : StartAt::kSaved;
  // Replay reads recorded input whole: `start_at: end` would read nothing.
  if (env.mode != RunMode::kLive) o.start_at = StartAt::kBeginning;
  o.state_file = PositionStateFile(env);
  o.instance = env.instance;
  o.follow = section.Bool("follow", env.mode == RunMode::kLive);
  o.max_line_bytes =
      static_cast<size_t>(section.Int("max_line_bytes", int64_t{1} << 20, 64, int64_t{64} << 20));
  const auto poll = section.DurationValue("poll_interval", std::chrono::milliseconds(250));
  if (poll < std::chrono::milliseconds(1) || poll > std::chrono::minutes(10)) {
    section.BadValue("poll_interval", "must be between 1ms and 10m");
  } else {
    o.poll_interval = std::chrono::duration_cast<std::chrono::milliseconds>(poll);
  }
  o.inotify = section.Bool("inotify", true);
  if (o.source == SourceKind::kUnixSocket && o.path.size() >= sizeof(sockaddr_un::sun_path)) {
    section.BadValue("path", "a unix socket path must be shorter than " +
                                 std::to_string(sizeof(sockaddr_un::sun_path)) + " bytes");
  }
  section.Finish();
  if (section.diagnostics().error_count() > errors_before) {
    return Status::InvalidArgument("invalid jsonl collector configuration");
  }
  return std::unique_ptr<Collector>(std::make_unique<JsonlCollector>(std::move(o)));
}

VIGIL_REGISTER_COLLECTOR(JsonlCollectorFactory);

}  // namespace vigil::jsonl
