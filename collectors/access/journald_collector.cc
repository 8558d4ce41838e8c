// The `journald` collector: the systemd journal read live through sd-journal (libsystemd),
// restricted to the programs the access parsers know, each entry turned into the same
// JournalEntry the journal_json collector builds (JournalEntryFromFields) and parsed by
// AuthLineParser. See docs/access.md.
//
// Position: the cursor of the last entry handed on is saved atomically to
// <state_dir>/journal/<instance>.cursor whenever the reader has caught up (before each wait)
// and when it stops; `start_at: saved` resumes after it.
#include <systemd/sd-journal.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "access_event.h"
#include "auth_line_parser.h"
#include "file_position.h"
#include "journal_json.h"
#include "tail_config.h"
#include "vigil/collector.h"

namespace vigil::access {
namespace {

// Programs whose entries are read (SYSLOG_IDENTIFIER or _COMM), unless `programs:` says.
const std::vector<std::string>& DefaultPrograms() {
  static const std::vector<std::string> programs = {
      "sshd",    "sshd-session", "sudo",     "su",       "login",   "systemd-logind",
      "useradd", "usermod",      "userdel",  "groupadd", "groupmod", "groupdel",
      "gpasswd", "passwd",       "chpasswd", "chage",    "newusers", "chsh", "chfn"};
  return programs;
}

enum class JournalStart { kBeginning, kEnd, kSaved };

struct JournaldOptions {
  std::string directory;             // read journal files from this directory
  std::vector<std::string> files;    // or these journal files; neither: the local journal
  std::vector<std::string> programs;
  JournalStart start_at = JournalStart::kSaved;
  bool follow = true;
  std::chrono::milliseconds wait_interval{250};
  std::string cursor_file;  // empty: positions are neither loaded nor saved
  UserRedaction redaction = UserRedaction::Default();
};

Status JournalError(const std::string& what, int r) {
  return Status::IoError(what + ": " + std::strerror(-r));
}

struct JournalCloser {
  void operator()(sd_journal* j) const { sd_journal_close(j); }
};
using JournalPtr = std::unique_ptr<sd_journal, JournalCloser>;

class JournaldCollector : public Collector {
 public:
  explicit JournaldCollector(JournaldOptions options) : options_(std::move(options)) {}

  Status Run(CollectorContext& ctx) override {
    Result<AccessFieldIds> ids = DeclareAccessFields(FieldRegistry::Global());
    if (!ids.ok()) return ids.status();
    ids_ = &*ids;
    JournalPtr journal;
    VIGIL_RETURN_IF_ERROR(Open(&journal));
    sd_journal* j = journal.get();
    // Fields beyond the bound are not decompressed whole; the conversion bounds the rest.
    sd_journal_set_data_threshold(j, kMaxJournalMessageBytes + 64);
    VIGIL_RETURN_IF_ERROR(AddMatches(j));
    VIGIL_RETURN_IF_ERROR(Seek(j));
    Status result = Status::Ok();
    while (!ctx.stopping()) {
      const int r = sd_journal_next(j);
      if (r < 0) {
        result = JournalError("sd_journal_next", r);
        break;
      }
      if (r > 0) {
        if (!Entry(ctx, j)) break;  // replay: the pipeline is closed
        continue;
      }
      // Caught up: the events held for one hand-off go on before the cursor is saved and
      // before the wait, so that none waits in a half-full batch.
      ctx.FlushEmits();
      SaveCursor(ctx);
      if (!options_.follow) break;
      const int w = sd_journal_wait(j, static_cast<uint64_t>(options_.wait_interval.count()) * 1000);
      if (w < 0) {
        result = JournalError("sd_journal_wait", w);
        break;
      }
    }
    ctx.FlushEmits();
    SaveCursor(ctx);
    return result;
  }

 private:
  Status Open(JournalPtr* out) {
    sd_journal* j = nullptr;
    int r;
    if (!options_.directory.empty()) {
      r = sd_journal_open_directory(&j, options_.directory.c_str(), 0);
    } else if (!options_.files.empty()) {
      std::vector<const char*> paths;
      for (const std::string& f : options_.files) paths.push_back(f.c_str());
      paths.push_back(nullptr);
      r = sd_journal_open_files(&j, paths.data(), 0);
    } else {
      r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
    }
    if (r < 0) return JournalError("open journal " + Describe(), r);
    out->reset(j);
    return Status::Ok();
  }

  // SYSLOG_IDENTIFIER=p1 OR ... OR _COMM=p1 OR ...: matches on one field are ORed, and a
  // disjunction separates the two fields.
  Status AddMatches(sd_journal* j) {
    for (const char* field : {"SYSLOG_IDENTIFIER=", "_COMM="}) {
      for (const std::string& p : options_.programs) {
        const std::string m = field + p;
        const int r = sd_journal_add_match(j, m.data(), m.size());
        if (r < 0) return JournalError("sd_journal_add_match " + m, r);
      }
      const int r = sd_journal_add_disjunction(j);
      if (r < 0) return JournalError("sd_journal_add_disjunction", r);
    }
    return Status::Ok();
  }

  Status Seek(sd_journal* j) {
    if (options_.start_at == JournalStart::kSaved) {
      std::string cursor;
      if (LoadCursor(&cursor)) {
        int r = sd_journal_seek_cursor(j, cursor.c_str());
        if (r < 0) return JournalError("sd_journal_seek_cursor", r);
        // Land on the saved entry and step over it; if it is gone, the entry landed on is
        // the next one and is read.
        r = sd_journal_next(j);
        if (r > 0 && sd_journal_test_cursor(j, cursor.c_str()) <= 0) sd_journal_previous(j);
        cursor_ = cursor;
        return Status::Ok();
      }
    }
    if (options_.start_at == JournalStart::kBeginning) {
      const int r = sd_journal_seek_head(j);
      return r < 0 ? JournalError("sd_journal_seek_head", r) : Status::Ok();
    }
    const int r = sd_journal_seek_tail(j);  // end, or saved without a saved cursor
    if (r < 0) return JournalError("sd_journal_seek_tail", r);
    sd_journal_previous(j);  // on the last entry: the next read is the first new one
    return Status::Ok();
  }

  // Converts, parses and emits the current entry; false when the pipeline is closed.
  bool Entry(CollectorContext& ctx, sd_journal* j) {
    char* cursor = nullptr;
    if (sd_journal_get_cursor(j, &cursor) >= 0 && cursor != nullptr) {
      cursor_ = cursor;
      free(cursor);  // NOLINT: allocated by libsystemd
    }
    uint64_t usec = 0;
    const bool has_time = sd_journal_get_realtime_usec(j, &usec) >= 0;
    Status s = JournalEntryFromFields(
        [&](const char* name, std::string* value) {
          if (std::strcmp(name, "__REALTIME_TIMESTAMP") == 0) {
            if (!has_time) return false;
            *value = std::to_string(usec);
            return true;
          }
          const void* data = nullptr;
          size_t size = 0;
          if (sd_journal_get_data(j, name, &data, &size) < 0) return false;
          const size_t prefix = std::strlen(name) + 1;  // "NAME="
          if (size < prefix) return false;
          value->assign(static_cast<const char*>(data) + prefix, size - prefix);
          return true;
        },
        &entry_);
    if (!s.ok()) {
      ctx.Skip(Where(), s.message());
      return true;
    }
    const SyslogHeader header = entry_.Header();
    AuthRecord record;
    if (!parser_.Parse(header, &record)) return true;
    LineOrigin origin{options_.directory, -1, entry_.message};
    return ctx.EmitBatched(BuildAccessEvent(header, record, origin, *ids_, options_.redaction)) ||
           ctx.mode() == RunMode::kLive;
  }

  std::string Where() const { return "journal@" + cursor_; }

  // What was opened, for messages: the directory, the files, or the system journal.
  std::string Describe() const {
    if (!options_.directory.empty()) return options_.directory;
    if (options_.files.empty()) return "(the system journal)";
    std::string out;
    for (const std::string& f : options_.files) out += (out.empty() ? "" : ", ") + f;
    return out;
  }

  bool LoadCursor(std::string* cursor) const {
    if (options_.cursor_file.empty()) return false;
    std::ifstream in(options_.cursor_file);
    if (!in || !std::getline(in, *cursor)) return false;
    return !cursor->empty();
  }

  void SaveCursor(CollectorContext& ctx) {
    if (options_.cursor_file.empty() || cursor_.empty() || cursor_ == saved_) return;
    Status s = WriteFileAtomic(options_.cursor_file, cursor_ + "\n");
    if (!s.ok()) {
      ctx.CountError();
      return;
    }
    saved_ = cursor_;
  }

  JournaldOptions options_;
  const AccessFieldIds* ids_ = nullptr;
  JournalEntry entry_;
  AuthLineParser parser_;
  std::string cursor_;  // of the last entry read
  std::string saved_;   // last cursor written to the cursor file
};

class JournaldCollectorFactory : public CollectorFactory {
 public:
  std::string_view name() const override { return "journald"; }
  std::string_view description() const override {
    return "sshd, sudo, su, login, logind and account events from the systemd journal";
  }
  Status DeclareFields(FieldRegistry& fields) const override {
    return DeclareAccessFields(fields).status();
  }
  Result<std::unique_ptr<Collector>> Create(ConfigSection& section,
                                            const CollectorEnv& env) const override {
    const size_t errors_before = section.diagnostics().error_count();
    const bool live = env.mode == RunMode::kLive;
    JournaldOptions o;
    o.directory = section.String("directory", "");
    o.files = section.StringList("files");
    if (!o.directory.empty() && !o.files.empty()) {
      section.BadValue("files", "give either directory or files, not both");
    }
    o.programs = section.StringList("programs");
    if (o.programs.empty()) o.programs = DefaultPrograms();
    const std::string start = section.Enum("start_at", "saved", {"beginning", "end", "saved"});
    o.start_at = start == "beginning" ? JournalStart::kBeginning
                 : start == "end"     ? JournalStart::kEnd
                                      : JournalStart::kSaved;
    if (!live) o.start_at = JournalStart::kBeginning;  // replay reads recorded journals whole
    o.follow = section.Bool("follow", live);
    o.redaction = ReadUserRedaction(section, env);
    const auto wait = section.DurationValue("wait_interval", std::chrono::milliseconds(250));
    if (wait < std::chrono::milliseconds(1) || wait > std::chrono::seconds(10)) {
      section.BadValue("wait_interval", "must be between 1ms and 10s");
    } else {
      o.wait_interval = std::chrono::duration_cast<std::chrono::milliseconds>(wait);
    }
    if (live && !env.state_dir.empty()) {
      o.cursor_file = env.state_dir + "/journal/" + env.instance + ".cursor";
    }
    section.Finish();
    if (section.diagnostics().error_count() > errors_before) {
      return Status::InvalidArgument("invalid journald collector configuration");
    }
    return std::unique_ptr<Collector>(std::make_unique<JournaldCollector>(std::move(o)));
  }
  // The system journal is readable by root and the systemd-journal/adm groups.
  std::vector<Capability> capabilities() const override { return {Capability::kDacReadSearch}; }
};

VIGIL_REGISTER_COLLECTOR(JournaldCollectorFactory);

}  // namespace
}  // namespace vigil::access
