#include "audit/audit_verifier.h"

#include <fstream>
#include <sstream>

#include "audit/audit_log.h"
#include "audit/audit_record.h"
#include "audit/merkle.h"
#include "audit/record_reader.h"

namespace vigil::audit {
namespace {

struct ExternalCheckpoint {
  uint64_t size = 0;
  Hash root{};
};

// Reads "<origin>\n<size>\n<base64 root>\n…" from a checkpoint note's text.
std::optional<ExternalCheckpoint> ParseCheckpointText(const std::string& text) {
  std::istringstream in(text);
  std::string origin, size, root;
  if (!std::getline(in, origin) || !std::getline(in, size) || !std::getline(in, root)) return std::nullopt;
  if (size.empty() || size.size() > 20 || size.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  auto raw = FromBase64(root);
  if (!raw || raw->size() != 32) return std::nullopt;
  ExternalCheckpoint cp;
  cp.size = 0;
  for (char c : size) {
    if (cp.size > (UINT64_MAX - 9) / 10) return std::nullopt;  // no tree is that large
    cp.size = cp.size * 10 + static_cast<uint64_t>(c - '0');
  }
  std::copy(raw->begin(), raw->end(), cp.root.begin());
  return cp;
}

class Verifier {
 public:
  explicit Verifier(const VerifyOptions& o) : o_(o) {}

  VerifyResult Run() {
    LoadExternalCheckpoint();
    if (!r_.ok) return r_;
    RecordReader reader;
    if (Status s = reader.Open(o_.log_path, 0, o_.log_size); !s.ok()) return Fail(0, s.message());
    std::string line;
    Hash prev{};
    uint64_t line_no = 0;
    for (;;) {
      auto more = reader.Next(line);
      if (!more.ok()) return Fail(r_.records + 1, more.status().message());
      if (!*more) break;
      ++line_no;
      if (external_ && tree_.size() == external_->size) CheckExternal();
      if (!r_.ok) return r_;
      auto rec = ParseRecord(line);
      if (!rec.ok()) {
        return Fail(r_.records + 1, "line " + std::to_string(line_no) + " is not a valid record (" +
                                        rec.status().message() + "): it was edited or damaged", line_no);
      }
      const uint64_t expect = r_.records + 1;
      if (rec->seq > expect) {
        if (const uint64_t later = FindLater(reader, expect, line_no); later > 0) {
          return Fail(expect, "record " + std::to_string(expect) + " is at line " + std::to_string(later) +
                                  ", after record " + std::to_string(rec->seq) + " (line " + std::to_string(line_no) +
                                  "): records reordered",
                      line_no);
        }
        return Fail(expect, "record" + Range(expect, rec->seq - 1) + " missing before line " + std::to_string(line_no) +
                                " (seq jumps from " + std::to_string(expect - 1) + " to " + std::to_string(rec->seq) +
                                "): removed",
                    line_no);
      }
      if (rec->seq < expect) {
        return Fail(rec->seq, "line " + std::to_string(line_no) + " holds seq " + std::to_string(rec->seq) +
                                  " where seq " + std::to_string(expect) + " belongs: records reordered or duplicated",
                    line_no);
      }
      if (rec->prev != prev) {
        return Fail(expect - 1, "record " + std::to_string(expect - 1) + " does not match the hash that record " +
                                    std::to_string(expect) + " (line " + std::to_string(line_no) +
                                    ") carries: record " + std::to_string(expect - 1) + " was edited",
                    line_no - 1);
      }
      if (rec->type == "checkpoint") CheckCheckpoint(*rec, line_no);
      if (!r_.ok) return r_;
      tree_.AppendLeaf(line);
      prev = Sha256(line);
      ++r_.records;
      if (o_.head_seq && rec->seq == *o_.head_seq) {
        head_seen_ = true;
        if (Hex(prev) != o_.head_hash) {
          return Fail(rec->seq, "record " + std::to_string(rec->seq) +
                                    " differs from the one the store recorded: it was edited", line_no);
        }
      }
    }
    if (reader.torn_bytes() > 0) {
      return Fail(r_.records + 1, "the last line is torn (" + std::to_string(reader.torn_bytes()) +
                                      " bytes without a newline after record " + std::to_string(r_.records) +
                                      "): a crash during a write, or truncation; `vigil run` cuts it when it starts");
    }
    if (external_) {
      if (tree_.size() < external_->size) {
        return Fail(r_.records + 1, "the log ends after record " + std::to_string(r_.records) + " but " +
                                        o_.checkpoint_path + " signs " + std::to_string(external_->size) +
                                        " records: truncated");
      }
      if (tree_.size() == external_->size) CheckExternal();
      if (!r_.ok) return r_;
    }
    if (o_.head_seq && !head_seen_ && *o_.head_seq > r_.records) {
      return Fail(r_.records + 1, "the log ends after record " + std::to_string(r_.records) +
                                      " but the store applied records up to " + std::to_string(*o_.head_seq) +
                                      ": truncated");
    }
    if (!o_.head_seq) r_.notes.push_back("no store given: the records after the last checkpoint are checked by the chain only");
    if (r_.records > last_checkpoint_seq_) {
      r_.notes.push_back(std::to_string(r_.records - last_checkpoint_seq_) +
                         " record(s) after the last checkpoint are not yet signed");
    }
    return r_;
  }

 private:
  static std::string Range(uint64_t a, uint64_t b) {
    return a == b ? " " + std::to_string(a) + " is" : "s " + std::to_string(a) + "-" + std::to_string(b) + " are";
  }

  // The line number at which record `seq` appears later in the log, or 0.
  static uint64_t FindLater(RecordReader& reader, uint64_t seq, uint64_t line_no) {
    std::string line;
    for (;;) {
      auto more = reader.Next(line);
      if (!more.ok() || !*more) return 0;
      ++line_no;
      auto rec = ParseRecordHeader(line);
      if (rec.ok() && rec->seq == seq) return line_no;
    }
  }

  VerifyResult Fail(uint64_t seq, std::string what, uint64_t line = 0) {
    r_.ok = false;
    r_.problem_seq = seq;
    r_.problem_line = line;
    r_.problem = std::move(what);
    return r_;
  }

  void LoadExternalCheckpoint() {
    if (o_.checkpoint_path.empty()) return;
    std::optional<std::string> text = o_.checkpoint_text;
    if (!o_.snapshot) {
      std::ifstream in(o_.checkpoint_path, std::ios::binary);
      if (in) text.emplace(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (!text) {
      r_.notes.push_back("no exported checkpoint at " + o_.checkpoint_path);
      return;
    }
    auto note = ParseNote(*text);
    auto cp = note.ok() ? ParseCheckpointText(note->text) : std::nullopt;
    if (!cp) {
      Fail(0, o_.checkpoint_path + " is not a checkpoint note");
      return;
    }
    if (o_.key) {
      if (Status s = o_.key->Verify(*note); !s.ok()) {
        Fail(0, o_.checkpoint_path + ": " + s.message());
        return;
      }
    }
    external_ = cp;
  }

  void CheckExternal() {
    if (external_checked_) return;
    external_checked_ = true;
    if (tree_.Root() != external_->root) {
      Fail(0, "the first " + std::to_string(external_->size) + " records do not match the tree head signed in " +
                  o_.checkpoint_path + ": a record before it was edited, removed or reordered");
    }
  }

  void CheckCheckpoint(const Record& rec, uint64_t line_no) {
    const std::string where = "checkpoint record " + std::to_string(rec.seq) + " (line " + std::to_string(line_no) + ")";
    const uint64_t size = UintAt(rec.data, "tree_size");
    if (size != rec.seq - 1) {
      Fail(rec.seq, where + " signs " + std::to_string(size) + " records, not the " + std::to_string(rec.seq - 1) +
                        " before it", line_no);
      return;
    }
    const std::string note_text = StringAt(rec.data, "note");
    auto note = ParseNote(note_text);
    auto cp = note.ok() ? ParseCheckpointText(note->text) : std::nullopt;
    if (!cp || cp->size != size) {
      Fail(rec.seq, where + ": malformed signed note", line_no);
      return;
    }
    if (cp->root != tree_.Root()) {
      Fail(rec.seq, where + ": the records before it do not match its signed tree head: a record before it was edited, "
                            "removed or reordered",
           line_no);
      return;
    }
    if (o_.key) {
      if (Status s = o_.key->Verify(*note); !s.ok()) {
        Fail(rec.seq, where + ": " + s.message(), line_no);
        return;
      }
    } else if (!unsigned_noted_) {
      unsigned_noted_ = true;
      r_.notes.push_back("no public key given: checkpoint signatures were not checked");
    }
    ++r_.checkpoints;
    r_.signed_records = size;
    last_checkpoint_seq_ = rec.seq;
  }

  const VerifyOptions& o_;
  VerifyResult r_;
  MerkleTree tree_;
  std::optional<ExternalCheckpoint> external_;
  bool external_checked_ = false;
  bool head_seen_ = false;
  bool unsigned_noted_ = false;
  uint64_t last_checkpoint_seq_ = 0;
};

}  // namespace

VerifyResult VerifyAuditLog(const VerifyOptions& options) { return Verifier(options).Run(); }

}  // namespace vigil::audit
