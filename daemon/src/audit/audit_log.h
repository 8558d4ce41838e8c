// AuditLog: the tamper-evident record of every alert and every alert state change.
//
// The file is JSON lines, one record per line, each written in this exact key order:
//   {"seq":N,"prev":"<hex SHA-256 of record N-1's line>","time":"RFC 3339","type":T,"data":{…}}
// seq starts at 1; the first record's prev is 64 zeros. The hash of a record is the
// SHA-256 of its line's bytes without the newline. Types: "alert", "transition",
// "checkpoint", "repair".
//
// Every `checkpoint_every` records or `checkpoint_interval` (whichever comes first), a
// checkpoint record is appended whose data carries a C2SP tlog-checkpoint signed with the
// log's Ed25519 key: origin line, tree size (the records before it), and the RFC 9162
// Merkle tree head over those records' lines, base64. The same signed note is written to
// `<log>.checkpoint` (replaced atomically) for auditors to keep outside the host.
//
// The signing key is created on first open at `key_path` (mode 0600, the note signer form)
// and its verifier key written beside it (`.pub`, mode 0644) for auditors.
//
// Crash safety: each record is one write() of a whole line; Commit() fdatasyncs. A last
// line without its newline (a torn write) is found when the log is opened, cut off, and a
// "repair" record states how many bytes were cut; the repair is counted.
//
// Several processes may append (the daemon, and `vigil alerts ack …`): every batch of
// appends happens between Lock() and Commit()/Unlock(), under flock(LOCK_EX) on the file,
// and Lock() first catches up with what others appended, so the chain stays one chain.
//
// Threading: one thread at a time per AuditLog object; processes serialise through flock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "audit/digest.h"
#include "audit/merkle.h"
#include "audit/signed_note.h"
#include "vigil/event.h"
#include "vigil/metric_writer.h"
#include "vigil/status.h"

namespace vigil::audit {

struct AuditLogOptions {
  std::string path;      // the log
  std::string key_path;  // the signer key; created when missing
  std::string origin;    // checkpoint origin line, e.g. "ledger-01/vigil/audit"
  uint64_t checkpoint_every = 1000;                 // records; 0 = only by time
  std::chrono::seconds checkpoint_interval{60};     // 0 = only by count
  bool sync = true;                                 // fdatasync at each Commit
};

// What Open found and did.
struct AuditOpenReport {
  uint64_t records = 0;          // complete records found
  uint64_t repaired_bytes = 0;   // bytes of a torn last line that were cut (0: none)
  bool created_key = false;
};

struct AppendResult {
  uint64_t seq = 0;
  Hash hash{};
  uint64_t end_offset = 0;  // the log's size after this record
  std::string line;         // the record as written, without the newline
};

struct Checkpoint {
  uint64_t tree_size = 0;
  Hash root{};
  std::string note;     // the signed note
  AppendResult record;  // the checkpoint record itself
};

class AuditLog {
 public:
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  static Result<std::unique_ptr<AuditLog>> Open(const AuditLogOptions& options, AuditOpenReport* report = nullptr);

  // Takes the cross-process lock and catches up with records others appended.
  Status Lock();
  // Formats and writes one record (between Lock and Commit).
  Result<AppendResult> Append(std::string_view type, std::string_view data_json, Timestamp time);
  // Makes the batch durable, appends a checkpoint when one is due at `now`, and unlocks.
  // `checkpoint` receives the checkpoint when one was written.
  Status Commit(Timestamp now, std::optional<Checkpoint>* checkpoint = nullptr);
  // Writes a checkpoint now (if any record came after the last one) and unlocks.
  Status CommitWithCheckpoint(Timestamp now, std::optional<Checkpoint>* checkpoint = nullptr);

  // Unlocks without syncing or checkpointing (after a failure); a no-op when not locked.
  void Release() { Unlock().IgnoreError(); }

  uint64_t last_seq() const { return last_seq_; }
  uint64_t size() const { return known_size_; }
  // Records after the last checkpoint (not yet covered by a signature).
  uint64_t unsigned_records() const { return tree_.size() - checkpointed_size_; }
  const Hash& last_hash() const { return last_hash_; }
  std::string verifier_key() const { return signer_.VerifierKey(); }
  const std::string& path() const { return options_.path; }

  // vigil_audit_log_records_total, _checkpoints_total, _last_checkpoint_timestamp_seconds,
  // _repairs_total, _repaired_bytes_total. Any thread.
  void WriteMetrics(MetricWriter& out) const;

 private:
  AuditLog(AuditLogOptions options, NoteSigner signer, int fd);
  Status ReadAll(AuditOpenReport* report);
  Status CatchUp();
  Status Fold(std::string_view line);  // one complete record line into seq/hash/tree
  Status WriteLine(const std::string& line);
  Result<Checkpoint> AppendCheckpoint(Timestamp now);
  Status Unlock();

  AuditLogOptions options_;
  NoteSigner signer_;
  int fd_ = -1;
  bool locked_ = false;
  uint64_t known_size_ = 0;  // bytes of the file folded into the state below
  uint64_t last_seq_ = 0;
  Hash last_hash_{};
  MerkleTree tree_;
  uint64_t checkpointed_size_ = 0;  // tree size of the last checkpoint
  Timestamp last_checkpoint_time_{};

  std::atomic<uint64_t> records_written_{0};
  std::atomic<uint64_t> checkpoints_written_{0};
  std::atomic<int64_t> last_checkpoint_unix_{0};
  std::atomic<uint64_t> repairs_{0};
  std::atomic<uint64_t> repaired_bytes_{0};
};

// Reads or creates the signer key at `path` (0600) and its `.pub` verifier beside it.
Result<NoteSigner> LoadOrCreateSigner(const std::string& path, std::string_view name, bool* created);

// The checkpoint body (C2SP tlog-checkpoint): "<origin>\n<size>\n<base64 root>\n".
std::string CheckpointText(std::string_view origin, uint64_t size, const Hash& root);

}  // namespace vigil::audit
