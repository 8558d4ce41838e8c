// The `auth_log` collector: a syslog file (/var/log/auth.log, /var/log/secure, ...) read
// with FileTailer and parsed by AuthLineParser. See docs/access.md.
#include <chrono>
#include <memory>
#include <string>

#include "access_build_pool.h"
#include "access_event.h"
#include "auth_line_parser.h"
#include "file_tailer.h"
#include "syslog_header.h"
#include "tail_config.h"
#include "tailed_collector.h"
#include "vigil/collector.h"

namespace vigil::access {
namespace {

Timestamp Now() { return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()); }

class AuthLogLines : public LineConsumer {
 public:
  AuthLogLines(CollectorContext& ctx, const TailOptions& options, const AccessFieldIds& ids,
            const UserRedaction& redaction)
      : ctx_(ctx), options_(options), ids_(ids), redaction_(redaction),
        offset_(YearInference::LocalUtcOffset()), years_(Now(), offset_) {
    // Replay: the lines are parsed and their events built on `workers` threads
    // (AccessBuildPool), in input order; this thread only cuts the lines into batches.
    // Live reading stays on this thread, so each event is handed on as its line arrives
    // and a saved position never passes an event not yet handed on.
    if (ctx.mode() == RunMode::kReplay && options.workers > 1) {
      pool_ = std::make_unique<AccessBuildPool>(options.workers, ctx, ids, redaction, options.path,
                                                options.max_line_bytes, years_);
    }
  }

  bool Line(std::string_view line, uint64_t offset) override {
    if (pool_ != nullptr) {
      if (line.empty() || line == "\r") {
        pool_->EndEntry();
        return true;
      }
      return pool_->AddLine(line, static_cast<int64_t>(offset));
    }
    // sudo's log file wraps long entries onto lines indented by four spaces.
    if (!held_.empty() && line.substr(0, 4) == "    ") {
      if (held_.size() + line.size() <= options_.max_line_bytes) {
        held_ += ' ';
        held_.append(line.substr(4));
      }
      return true;
    }
    if (!EmitHeld()) return false;
    if (line.empty() || line == "\r") return true;
    if (ctx_.mode() == RunMode::kLive) years_ = YearInference(Now(), offset_);
    auto header = ParseSyslogHeader(line, years_);
    if (!header) {
      ctx_.Skip(Where(offset), "no syslog header");
      return true;
    }
    if (header->program == "sudo" && header->host.empty() && held_.empty()) {
      held_.assign(line);  // maybe sudo's log file: wait for continuation lines
      held_offset_ = offset;
      return true;
    }
    return Emit(*header, line, offset);
  }

  // At the end of what the file holds: the held sudo entry, and every event still being
  // built.
  bool AtEnd() override {
    const bool ok = EmitHeld();
    return Drain() && ok;
  }

  // Hands on every event still being built (TailedCollector, when the tailer returns).
  bool Drain() { return pool_ == nullptr || pool_->Drain(); }

  // Parses and emits the held sudo entry, if any.
  bool EmitHeld() {
    if (held_.empty()) return true;
    const std::string line = std::move(held_);
    held_.clear();
    auto header = ParseSyslogHeader(line, years_);
    return !header || Emit(*header, line, held_offset_);
  }

  bool Emit(const SyslogHeader& header, std::string_view line, uint64_t offset) {
    AuthRecord record;
    if (!parser_.Parse(header, &record)) return true;
    LineOrigin origin{options_.path, static_cast<int64_t>(offset), line};
    Event event = ctx_.NewEvent();
    BuildAccessEvent(header, record, origin, ids_, redaction_, &event);
    return ctx_.EmitBatched(std::move(event)) || ctx_.mode() == RunMode::kLive;
  }

  void Overlong(uint64_t offset) override {
    if (pool_ != nullptr) {
      pool_->AddOverlong(static_cast<int64_t>(offset));  // a failed emit shows on the next line
      return;
    }
    ctx_.Skip(Where(offset), "line longer than " + std::to_string(options_.max_line_bytes) + " bytes");
  }

  // Replay infers years from the file's mtime: the last line was written then.
  void NewFile(Timestamp mtime) override {
    if (ctx_.mode() != RunMode::kReplay) return;
    years_ = YearInference(mtime, offset_);
    if (pool_ != nullptr) pool_->SetYears(years_);
  }

 private:
  std::string Where(uint64_t offset) const { return options_.path + "@" + std::to_string(offset); }

  CollectorContext& ctx_;
  const TailOptions& options_;
  const AccessFieldIds& ids_;
  const UserRedaction& redaction_;
  std::chrono::seconds offset_;
  YearInference years_;
  AuthLineParser parser_;
  std::string held_;  // a sudo log-file entry that may continue on the next lines
  uint64_t held_offset_ = 0;
  std::unique_ptr<AccessBuildPool> pool_;  // replay with workers > 1; null: built here
};

class AuthLogCollectorFactory : public TailedCollectorFactory<AuthLogLines> {
 public:
  bool reads_workers() const override { return true; }
  std::string_view name() const override { return "auth_log"; }
  std::string_view description() const override {
    return "sshd, sudo, su, PAM, login and account events from a syslog file (auth.log, secure)";
  }
};

VIGIL_REGISTER_COLLECTOR(AuthLogCollectorFactory);

}  // namespace
}  // namespace vigil::access
