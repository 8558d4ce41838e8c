// The `journal_json` collector: `journalctl -o json` output (an export, or a file that a
// `journalctl -f -o json` pipe appends to), read with FileTailer and parsed like auth_log
// lines. `vigil replay --journal-json F` uses it. See docs/access.md.
#include <memory>
#include <string>

#include "access_event.h"
#include "auth_line_parser.h"
#include "file_tailer.h"
#include "journal_json.h"
#include "tail_config.h"
#include "tailed_collector.h"
#include "vigil/collector.h"

namespace vigil::access {
namespace {

class JournalLines : public LineConsumer {
 public:
  JournalLines(CollectorContext& ctx, const TailOptions& options, const AccessFieldIds& ids,
            const UserRedaction& redaction)
      : ctx_(ctx), options_(options), ids_(ids), redaction_(redaction) {}

  bool Line(std::string_view line, uint64_t offset) override {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return true;
    Status s = ParseJournalJson(line, &entry_);
    if (!s.ok()) {
      ctx_.Skip(Where(offset), s.message());
      return true;
    }
    const SyslogHeader header = entry_.Header();
    AuthRecord record;
    if (!parser_.Parse(header, &record)) return true;
    LineOrigin origin{options_.path, static_cast<int64_t>(offset), line};
    Event event = ctx_.NewEvent();  // recycled, and handed on in batches, as auth_log does
    BuildAccessEvent(header, record, origin, ids_, redaction_, &event);
    return ctx_.EmitBatched(std::move(event)) || ctx_.mode() == RunMode::kLive;
  }

  void Overlong(uint64_t offset) override {
    ctx_.Skip(Where(offset), "line longer than " + std::to_string(options_.max_line_bytes) + " bytes");
  }

 private:
  std::string Where(uint64_t offset) const { return options_.path + "@" + std::to_string(offset); }

  CollectorContext& ctx_;
  const TailOptions& options_;
  const AccessFieldIds& ids_;
  const UserRedaction& redaction_;
  JournalEntry entry_;
  AuthLineParser parser_;
};

class JournalJsonCollectorFactory : public TailedCollectorFactory<JournalLines> {
 public:
  std::string_view name() const override { return "journal_json"; }
  std::string_view description() const override {
    return "access events from `journalctl -o json` output (one JSON object per line)";
  }
};

VIGIL_REGISTER_COLLECTOR(JournalJsonCollectorFactory);

}  // namespace
}  // namespace vigil::access
