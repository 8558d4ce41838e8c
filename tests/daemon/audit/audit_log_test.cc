// Tests for daemon/src/audit/audit_log.{h,cc} and audit_verifier.{h,cc}, in temporary
// directories: appending over several Lock/Commit batches, reopening and continuing the
// chain, checkpoints by count and by time (explicit `now`), the exported `<log>.checkpoint`,
// the key files, verification of a clean log with the `.pub` key, and tamper tests that each
// must be found at the right record: edits, removals, reorderings, duplicates, a re-chained
// edit (caught by a checkpoint's Merkle root), forged signatures, truncation (caught by the
// exported checkpoint or the store's head), a torn last line (reported by verify, repaired by
// Open), a readable key file, and two writers on one file.
#include "audit/audit_log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_record.h"
#include "audit/audit_verifier.h"
#include "audit/merkle.h"
#include "support/test_support.h"
#include "vigil/time_format.h"

namespace vigil::audit {
namespace {

using std::chrono::seconds;
using vigil::testing::ReadFile;
using vigil::testing::TempDir;

constexpr const char* kOrigin = "test-host/vigil/audit";

Timestamp T(int64_t s) { return Timestamp(seconds(1'795'000'000 + s)); }

std::string EventData(int k) {
  char buf[64];
  std::snprintf(buf, sizeof buf, R"({"msg":"hello-%04d","n":%d})", k, k);
  return buf;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

void WriteLines(const std::string& path, const std::vector<std::string>& lines, const std::string& tail = "") {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const auto& l : lines) out << l << '\n';
  out << tail;
}

std::string TypeOf(const std::string& line) {
  auto r = ParseRecord(line);
  return r.ok() ? r->type : "<invalid>";
}

void SetPrev(std::string& line, const Hash& h) {
  const size_t p = line.find("\"prev\":\"");
  ASSERT_NE(p, std::string::npos);
  line.replace(p + 8, 64, Hex(h));
}

// What an attacker with write access does after editing: recompute every prev so the chain
// is whole again, and (given a signer) recompute and re-sign every checkpoint too.
void Rechain(std::vector<std::string>& lines, const NoteSigner* resigner) {
  MerkleTree tree;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) SetPrev(lines[i], Sha256(lines[i - 1]));
    if (resigner != nullptr && TypeOf(lines[i]) == "checkpoint") {
      auto rec = ParseRecord(lines[i]);
      ASSERT_TRUE(rec.ok());
      const Hash root = tree.Root();
      auto note = resigner->Sign(CheckpointText(kOrigin, i, root));
      ASSERT_TRUE(note.ok());
      nlohmann::json data = {{"tree_size", i}, {"root", Base64(AsBytes(root))}, {"note", *note}};
      lines[i] = FormatRecord(rec->seq, rec->prev, rec->time, "checkpoint", data.dump());
    }
    tree.AppendLeaf(lines[i]);
  }
}

class AuditLogTest : public ::testing::Test {
 protected:
  std::string LogPath() const { return dir_.File("audit.log"); }
  std::string KeyPath() const { return dir_.File("audit.key"); }

  AuditLogOptions Options(uint64_t every, int64_t interval_s) const {
    AuditLogOptions o;
    o.path = LogPath();
    o.key_path = KeyPath();
    o.origin = kOrigin;
    o.checkpoint_every = every;
    o.checkpoint_interval = seconds(interval_s);
    o.sync = false;
    return o;
  }

  std::unique_ptr<AuditLog> MustOpen(const AuditLogOptions& o, AuditOpenReport* report = nullptr) {
    auto log = AuditLog::Open(o, report);
    EXPECT_TRUE(log.ok()) << log.status().message();
    return log.ok() ? std::move(*log) : nullptr;
  }

  // One Lock/Append…/Commit batch of event records first..first+n-1 at time `t`.
  std::vector<AppendResult> Batch(AuditLog& log, int first, int n, Timestamp t,
                                  std::optional<Checkpoint>* cp = nullptr) {
    std::vector<AppendResult> out;
    EXPECT_TRUE(log.Lock().ok());
    for (int k = first; k < first + n; ++k) {
      auto r = log.Append("event", EventData(k), t);
      EXPECT_TRUE(r.ok()) << r.status().message();
      if (r.ok()) out.push_back(*r);
    }
    Status s = log.Commit(t, cp);
    EXPECT_TRUE(s.ok()) << s.message();
    return out;
  }

  NoteVerifier Key() const {
    auto v = NoteVerifier::Parse(ReadFile(KeyPath() + ".pub"));
    EXPECT_TRUE(v.ok()) << v.status().message();
    return std::move(*v);
  }

  VerifyOptions VOpts(bool with_checkpoint = true) const {
    VerifyOptions o;
    o.log_path = LogPath();
    o.key = Key();
    if (with_checkpoint) o.checkpoint_path = LogPath() + ".checkpoint";
    return o;
  }

  // The standard log of the tamper tests, checkpoint every 5 records, batches of 3:
  //   seq 1-6 events, 7 checkpoint (signs 6), 8-13 events, 14 checkpoint (signs 13),
  //   15-17 events (unsigned). The exported checkpoint signs 13.
  void BuildStandardLog() {
    auto log = MustOpen(Options(5, 0));
    ASSERT_NE(log, nullptr);
    int k = 1;
    for (int b = 0; b < 5; ++b, k += 3) Batch(*log, k, 3, T(b));
    lines_ = ReadLines(LogPath());
    ASSERT_EQ(lines_.size(), 17u);
    for (size_t i = 0; i < lines_.size(); ++i) {
      ASSERT_EQ(TypeOf(lines_[i]), (i == 6 || i == 13) ? "checkpoint" : "event") << "line " << i + 1;
    }
  }

  VerifyResult Tampered(const VerifyOptions& o) {
    WriteLines(LogPath(), lines_);
    return VerifyAuditLog(o);
  }

  TempDir dir_;
  std::vector<std::string> lines_;
};

// ---- writing ------------------------------------------------------------------------------

TEST_F(AuditLogTest, AppendsOneChainOverSeveralBatches) {
  AuditOpenReport report;
  auto log = MustOpen(Options(0, 0), &report);
  ASSERT_NE(log, nullptr);
  EXPECT_TRUE(report.created_key);
  EXPECT_EQ(report.records, 0u);
  EXPECT_EQ(report.repaired_bytes, 0u);
  std::vector<AppendResult> all;
  for (int b = 0; b < 4; ++b) {
    auto r = Batch(*log, b * 5 + 1, 5, T(b));
    all.insert(all.end(), r.begin(), r.end());
  }
  const auto lines = ReadLines(LogPath());
  ASSERT_EQ(lines.size(), 20u);
  Hash prev{};
  for (size_t i = 0; i < lines.size(); ++i) {
    auto rec = ParseRecord(lines[i]);
    ASSERT_TRUE(rec.ok()) << lines[i];
    EXPECT_EQ(rec->seq, i + 1);
    EXPECT_EQ(rec->prev, prev) << "record " << i + 1;
    EXPECT_EQ(rec->type, "event");
    EXPECT_EQ(rec->data["n"], static_cast<int>(i + 1));
    EXPECT_EQ(all[i].seq, i + 1);
    EXPECT_EQ(all[i].line, lines[i]);
    EXPECT_EQ(all[i].hash, Sha256(lines[i]));
    prev = Sha256(lines[i]);
  }
  // The exact written form.
  EXPECT_EQ(lines[0], std::string(R"({"seq":1,"prev":")") + std::string(64, '0') + R"(","time":")" +
                          FormatRfc3339(T(0)) + R"(","type":"event","data":)" + EventData(1) + "}");
  struct stat st {};
  ASSERT_EQ(::stat(LogPath().c_str(), &st), 0);
  EXPECT_EQ(all.back().end_offset, static_cast<uint64_t>(st.st_size));
  EXPECT_EQ(log->last_seq(), 20u);
  EXPECT_EQ(log->last_hash(), Sha256(lines.back()));
  EXPECT_EQ(log->size(), static_cast<uint64_t>(st.st_size));
}

TEST_F(AuditLogTest, AppendNeedsTheLockAndLockIsNotReentrant) {
  auto log = MustOpen(Options(0, 0));
  EXPECT_FALSE(log->Append("event", EventData(1), T(0)).ok());
  ASSERT_TRUE(log->Lock().ok());
  EXPECT_FALSE(log->Lock().ok());
  EXPECT_TRUE(log->Append("event", EventData(1), T(0)).ok());
  EXPECT_TRUE(log->Commit(T(0)).ok());
  EXPECT_FALSE(log->Append("event", EventData(2), T(0)).ok());
}

TEST_F(AuditLogTest, ReopenContinuesSeqAndChain) {
  {
    auto log = MustOpen(Options(0, 0));
    Batch(*log, 1, 7, T(0));
  }
  AuditOpenReport report;
  auto log = MustOpen(Options(0, 0), &report);
  EXPECT_FALSE(report.created_key);
  EXPECT_EQ(report.records, 7u);
  EXPECT_EQ(log->last_seq(), 7u);
  const auto before = ReadLines(LogPath());
  EXPECT_EQ(log->last_hash(), Sha256(before.back()));
  auto r = Batch(*log, 8, 2, T(1));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].seq, 8u);
  auto rec = ParseRecord(r[0].line);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->prev, Sha256(before.back()));
  EXPECT_TRUE(VerifyAuditLog(VOpts(false)).ok);
}

TEST_F(AuditLogTest, CheckpointsEveryKRecords) {
  auto log = MustOpen(Options(4, 0));
  std::optional<Checkpoint> cp;
  for (int k = 1; k <= 3; ++k) {
    Batch(*log, k, 1, T(k), &cp);
    EXPECT_FALSE(cp.has_value()) << "after " << k << " records";
  }
  EXPECT_EQ(log->unsigned_records(), 3u);
  Batch(*log, 4, 1, T(4), &cp);
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->tree_size, 4u);
  EXPECT_EQ(cp->record.seq, 5u);
  auto lines = ReadLines(LogPath());
  ASSERT_EQ(lines.size(), 5u);
  MerkleTree tree;
  for (size_t i = 0; i < 4; ++i) tree.AppendLeaf(lines[i]);
  EXPECT_EQ(cp->root, tree.Root());
  EXPECT_EQ(cp->record.line, lines[4]);
  auto rec = ParseRecord(lines[4]);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->type, "checkpoint");
  EXPECT_EQ(rec->data["tree_size"], 4);
  EXPECT_EQ(rec->data["root"], Base64(AsBytes(tree.Root())));
  EXPECT_EQ(rec->data["note"], cp->note);
  // Ten records in one batch: one checkpoint after the batch, signing all of it.
  Batch(*log, 5, 10, T(5), &cp);
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->tree_size, 15u);
  EXPECT_EQ(cp->record.seq, 16u);
  auto v = VerifyAuditLog(VOpts());
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.checkpoints, 2u);
  EXPECT_EQ(v.signed_records, 15u);
  EXPECT_EQ(v.records, 16u);
}

TEST_F(AuditLogTest, CheckpointsByTime) {
  auto log = MustOpen(Options(0, 10));
  std::optional<Checkpoint> cp;
  Batch(*log, 1, 1, T(0), &cp);
  // No checkpoint was ever written: the first commit signs (the last one was "at epoch").
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->tree_size, 1u);
  Batch(*log, 2, 1, T(3), &cp);
  EXPECT_FALSE(cp.has_value());
  Batch(*log, 3, 1, T(9), &cp);
  EXPECT_FALSE(cp.has_value());
  Batch(*log, 4, 1, T(10), &cp);
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->tree_size, 5u);  // records 1-5: the first checkpoint is one of them
  EXPECT_EQ(ReadLines(LogPath()).size(), 6u);
}

// Regression test, fixed (idle self-signing): after a checkpoint, the checkpoint record itself counts as
// "unsigned" (unsigned_records() = tree_.size() - checkpointed_size_ = 1), so Commit()
// appends a new checkpoint every `checkpoint_interval` with no new record (each signing the
// previous checkpoint), CommitWithCheckpoint() always appends one, and the router's Tick,
// which locks and syncs the log whenever unsigned_records() > 0, does so every second
// forever. Expected: a checkpoint only when some non-checkpoint record follows the last.
TEST_F(AuditLogTest, IdleLogDoesNotSignItself) {
  auto log = MustOpen(Options(4, 10));
  std::optional<Checkpoint> cp;
  Batch(*log, 1, 4, T(0), &cp);
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(log->unsigned_records(), 0u);
  ASSERT_TRUE(log->Lock().ok());
  ASSERT_TRUE(log->Commit(T(100), &cp).ok());
  EXPECT_FALSE(cp.has_value()) << "nothing new, yet a checkpoint by time";
  ASSERT_TRUE(log->Lock().ok());
  ASSERT_TRUE(log->CommitWithCheckpoint(T(101), &cp).ok());
  EXPECT_FALSE(cp.has_value()) << "nothing new, yet an explicit checkpoint";
  EXPECT_EQ(ReadLines(LogPath()).size(), 5u);
}

// The same defect seen through checkpoint_every: the checkpoint record counts towards the
// next K, so the second checkpoint comes after K-1 new records.
TEST_F(AuditLogTest, CheckpointRecordsDoNotCountTowardsTheNextK) {
  auto log = MustOpen(Options(4, 0));
  std::optional<Checkpoint> cp;
  Batch(*log, 1, 4, T(0), &cp);
  ASSERT_TRUE(cp.has_value());
  Batch(*log, 5, 3, T(1), &cp);
  EXPECT_FALSE(cp.has_value()) << "3 new records since the checkpoint, K = 4";
}

TEST_F(AuditLogTest, CheckpointTimeSurvivesReopen) {
  {
    auto log = MustOpen(Options(0, 10));
    std::optional<Checkpoint> cp;
    Batch(*log, 1, 1, T(0), &cp);
    ASSERT_TRUE(cp.has_value());
  }
  auto log = MustOpen(Options(0, 10));
  std::optional<Checkpoint> cp;
  Batch(*log, 2, 1, T(5), &cp);
  EXPECT_FALSE(cp.has_value()) << "the last checkpoint (T+0) is read back from the log";
  Batch(*log, 3, 1, T(11), &cp);
  EXPECT_TRUE(cp.has_value());
}

TEST_F(AuditLogTest, CommitWithCheckpointSignsNow) {
  auto log = MustOpen(Options(0, 0));
  ASSERT_TRUE(log->Lock().ok());
  ASSERT_TRUE(log->Append("event", EventData(1), T(0)).ok());
  std::optional<Checkpoint> cp;
  ASSERT_TRUE(log->Commit(T(0), &cp).ok());
  EXPECT_FALSE(cp.has_value()) << "count 0 and interval 0: only explicit checkpoints";
  ASSERT_TRUE(log->Lock().ok());
  ASSERT_TRUE(log->CommitWithCheckpoint(T(1), &cp).ok());
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->tree_size, 1u);
}

TEST_F(AuditLogTest, ExportedCheckpointAndKeyFiles) {
  auto log = MustOpen(Options(3, 0));
  std::optional<Checkpoint> cp;
  Batch(*log, 1, 3, T(0), &cp);
  ASSERT_TRUE(cp.has_value());
  const std::string exported = ReadFile(LogPath() + ".checkpoint");
  EXPECT_EQ(exported, cp->note);
  auto note = ParseNote(exported);
  ASSERT_TRUE(note.ok()) << note.status().message();
  EXPECT_EQ(note->text, CheckpointText(kOrigin, 3, cp->root));
  EXPECT_EQ(note->text, std::string(kOrigin) + "\n3\n" + Base64(AsBytes(cp->root)) + "\n");
  EXPECT_TRUE(Key().Verify(*note).ok());
  // Key files: the signer 0600, the verifier 0644 and equal to verifier_key().
  struct stat st {};
  ASSERT_EQ(::stat(KeyPath().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((KeyPath() + ".pub").c_str(), &st), 0);
  const mode_t mask = ::umask(022);
  ::umask(mask);
  EXPECT_EQ(st.st_mode & 0777, 0644u & ~mask);  // 0644 under the usual umask
  EXPECT_EQ(ReadFile(KeyPath() + ".pub"), log->verifier_key() + "\n");
  EXPECT_EQ(ReadFile(KeyPath()).rfind("PRIVATE+KEY+", 0), 0u);
  // A later checkpoint replaces the file.
  Batch(*log, 4, 3, T(1), &cp);
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(ReadFile(LogPath() + ".checkpoint"), cp->note);
}

TEST_F(AuditLogTest, ReadableKeyFileIsRefused) {
  { MustOpen(Options(0, 0)); }
  ASSERT_EQ(::chmod(KeyPath().c_str(), 0644), 0);
  auto log = AuditLog::Open(Options(0, 0));
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(log.status().message().find("chmod 600"), std::string::npos) << log.status().message();
  ASSERT_EQ(::chmod(KeyPath().c_str(), 0640), 0);
  EXPECT_FALSE(AuditLog::Open(Options(0, 0)).ok());
  ASSERT_EQ(::chmod(KeyPath().c_str(), 0600), 0);
  EXPECT_TRUE(AuditLog::Open(Options(0, 0)).ok());
}

TEST_F(AuditLogTest, GarbageKeyFileIsRefused) {
  dir_.Write("audit.key", "not a key\n");
  ASSERT_EQ(::chmod(KeyPath().c_str(), 0600), 0);
  EXPECT_FALSE(AuditLog::Open(Options(0, 0)).ok());
}

TEST_F(AuditLogTest, TwoWritersOnOneFileMakeOneChain) {
  auto a = MustOpen(Options(4, 0));
  auto b = MustOpen(Options(4, 0));
  ASSERT_TRUE(a && b);
  int k = 1;
  for (int round = 0; round < 8; ++round) {
    AuditLog& w = round % 2 == 0 ? *a : *b;
    ASSERT_TRUE(w.Lock().ok());
    for (int i = 0; i < 3; ++i, ++k) {
      auto r = w.Append("event", EventData(k), T(round));
      ASSERT_TRUE(r.ok());
    }
    ASSERT_TRUE(w.Commit(T(round)).ok());
  }
  ASSERT_TRUE(a->Lock().ok());
  ASSERT_TRUE(a->Commit(T(99)).ok());
  ASSERT_TRUE(b->Lock().ok());
  ASSERT_TRUE(b->Commit(T(99)).ok());
  EXPECT_EQ(a->last_seq(), b->last_seq());
  EXPECT_EQ(a->last_hash(), b->last_hash());
  const auto lines = ReadLines(LogPath());
  EXPECT_EQ(lines.size(), a->last_seq());
  uint64_t events = 0, checkpoints = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto rec = ParseRecord(lines[i]);
    ASSERT_TRUE(rec.ok());
    EXPECT_EQ(rec->seq, i + 1);
    (rec->type == "checkpoint" ? checkpoints : events) += 1;
  }
  EXPECT_EQ(events, 24u);
  EXPECT_GE(checkpoints, 4u);
  auto v = VerifyAuditLog(VOpts());
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.checkpoints, checkpoints);
}

// Regression test, fixed (robustness): a partial last line left by another writer (a process that died
// during its write, after Open) is not handled at Lock(): CatchUp leaves it pending, the
// next Append is written after it with O_APPEND, and the partial bytes and the new record
// become one invalid line in the middle of the chain. Lock() holds the lock, so it could cut
// the partial line as Open does (with a repair record), or refuse. Either outcome passes
// here; writing the damage does not.
TEST_F(AuditLogTest, PartialLineLeftByAnotherWriterDoesNotCorruptTheChain) {
  auto a = MustOpen(Options(0, 0));
  auto b = MustOpen(Options(0, 0));
  Batch(*a, 1, 2, T(0));
  {
    std::ofstream out(LogPath(), std::ios::binary | std::ios::app);
    out << R"({"seq":3,"prev":"ab)";  // the other writer died mid-line
  }
  const Status locked = b->Lock();
  if (!locked.ok()) return;  // refusing is acceptable
  auto r = b->Append("event", EventData(3), T(1));
  const Status committed = b->Commit(T(1));
  if (!r.ok() || !committed.ok()) return;
  auto v = VerifyAuditLog(VOpts(false));
  EXPECT_TRUE(v.ok) << v.problem;
}

// ---- verification -------------------------------------------------------------------------

TEST_F(AuditLogTest, CleanLogVerifies) {
  BuildStandardLog();
  auto v = VerifyAuditLog(VOpts());
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.records, 17u);
  EXPECT_EQ(v.checkpoints, 2u);
  EXPECT_EQ(v.signed_records, 13u);
  EXPECT_EQ(v.problem_seq, 0u);
  bool unsigned_noted = false;
  // Records 15-17 follow the last checkpoint (record 14, which signs 1-13).
  for (const auto& n : v.notes) unsigned_noted |= n.find("3 record(s)") != std::string::npos;
  EXPECT_TRUE(unsigned_noted);
  // With the store's head at the last record it verifies too.
  VerifyOptions o = VOpts();
  o.head_seq = 17;
  o.head_hash = Hex(Sha256(lines_[16]));
  EXPECT_TRUE(VerifyAuditLog(o).ok);
  // Without a key, checkpoints are not checked, and that is said.
  VerifyOptions nokey;
  nokey.log_path = LogPath();
  auto v2 = VerifyAuditLog(nokey);
  EXPECT_TRUE(v2.ok);
  bool said = false;
  for (const auto& n : v2.notes) said |= n.find("public key") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST_F(AuditLogTest, WrongKeyFailsAtTheFirstCheckpoint) {
  BuildStandardLog();
  auto other = NoteSigner::Generate(kOrigin);
  VerifyOptions o = VOpts(false);
  o.key = *NoteVerifier::Parse(other->VerifierKey());
  auto v = VerifyAuditLog(o);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 7u) << v.problem;
}

TEST_F(AuditLogTest, EditedMiddleRecordIsFound) {
  BuildStandardLog();
  lines_[9][lines_[9].find("hello")] = 'j';  // seq 10, still valid JSON
  auto v = Tampered(VOpts());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 10u) << v.problem;
  EXPECT_EQ(v.records, 10u);
}

TEST_F(AuditLogTest, EditedRecordBeforeACheckpointIsFound) {
  BuildStandardLog();
  lines_[2][lines_[2].find("hello")] = 'j';  // seq 3
  auto v = Tampered(VOpts());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 3u) << v.problem;
}

TEST_F(AuditLogTest, RecordMadeInvalidIsFound) {
  BuildStandardLog();
  lines_[9][lines_[9].find("\"data\"")] = '#';
  auto v = Tampered(VOpts());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 10u) << v.problem;
  EXPECT_EQ(v.problem_line, 10u);
}

TEST_F(AuditLogTest, EditedLastRecordIsFoundByTheStoreHead) {
  BuildStandardLog();
  const std::string head_hash = Hex(Sha256(lines_[16]));
  lines_[16][lines_[16].find("hello")] = 'j';  // seq 17, the last: no successor carries its hash
  // Without an anchor an edit of the last record cannot be seen.
  EXPECT_TRUE(Tampered(VOpts()).ok);
  VerifyOptions o = VOpts();
  o.head_seq = 17;
  o.head_hash = head_hash;
  auto v = VerifyAuditLog(o);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 17u) << v.problem;
}

TEST_F(AuditLogTest, EditedLastRecordIsFoundByTheExportedCheckpoint) {
  BuildStandardLog();
  // The attacker edits record 13 and removes everything after it (the checkpoint record
  // that carried its hash included): the log ends where the exported checkpoint signs.
  lines_.resize(13);
  lines_[12][lines_[12].find("hello")] = 'j';
  auto v = Tampered(VOpts());
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find(".checkpoint"), std::string::npos) << v.problem;
  // The Merkle root does not say which of records 1..13 changed: problem_seq is 0.
  EXPECT_EQ(v.problem_seq, 0u) << v.problem;
}

TEST_F(AuditLogTest, DeletedMiddleRecordIsFound) {
  BuildStandardLog();
  lines_.erase(lines_.begin() + 9);  // seq 10
  auto v = Tampered(VOpts());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 10u) << v.problem;
  EXPECT_NE(v.problem.find("missing"), std::string::npos) << v.problem;
}

TEST_F(AuditLogTest, DeletedRunOfRecordsIsFound) {
  BuildStandardLog();
  lines_.erase(lines_.begin() + 2, lines_.begin() + 5);  // seq 3-5
  auto v = Tampered(VOpts());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 3u) << v.problem;
}

TEST_F(AuditLogTest, TruncationIsFoundByTheExportedCheckpoint) {
  BuildStandardLog();
  lines_.resize(9);  // the exported checkpoint signs 13 records
  auto v = Tampered(VOpts());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 10u) << v.problem;
  EXPECT_NE(v.problem.find("truncated"), std::string::npos) << v.problem;
  // Without anchors, a shorter log is a valid log.
  VerifyOptions bare = VOpts(false);
  EXPECT_TRUE(VerifyAuditLog(bare).ok);
}

TEST_F(AuditLogTest, TruncationIsFoundByTheStoreHead) {
  BuildStandardLog();
  lines_.resize(15);  // records 16 and 17 were applied to the store
  VerifyOptions o = VOpts();
  o.head_seq = 17;
  o.head_hash = "0000";
  auto v = Tampered(o);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 16u) << v.problem;
  EXPECT_NE(v.problem.find("truncated"), std::string::npos) << v.problem;
  // The exported checkpoint (13) alone does not see it.
  EXPECT_TRUE(VerifyAuditLog(VOpts()).ok);
}

TEST_F(AuditLogTest, SwappedRecordsAreFound) {
  BuildStandardLog();
  std::swap(lines_[8], lines_[9]);  // seq 9 and 10
  auto v = Tampered(VOpts());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 9u) << v.problem;
}

TEST_F(AuditLogTest, DuplicatedRecordIsFound) {
  BuildStandardLog();
  lines_.insert(lines_.begin() + 10, lines_[9]);  // seq 10 twice
  auto v = Tampered(VOpts());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 10u) << v.problem;
  EXPECT_EQ(v.problem_line, 11u);
  EXPECT_NE(v.problem.find("duplicated"), std::string::npos) << v.problem;
}

TEST_F(AuditLogTest, RechainedEditIsFoundByTheCheckpointRoot) {
  BuildStandardLog();
  lines_[2][lines_[2].find("hello")] = 'j';  // seq 3
  Rechain(lines_, nullptr);
  auto v = Tampered(VOpts(false));
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 7u) << v.problem;  // the checkpoint that signs it
  EXPECT_NE(v.problem.find("tree head"), std::string::npos) << v.problem;
}

TEST_F(AuditLogTest, RechainedEditAfterTheFirstCheckpointIsFoundByTheNext) {
  BuildStandardLog();
  lines_[9][lines_[9].find("hello")] = 'j';  // seq 10
  Rechain(lines_, nullptr);
  auto v = Tampered(VOpts(false));
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 14u) << v.problem;
}

TEST_F(AuditLogTest, RechainedEditAfterTheLastCheckpointIsFoundByTheStoreHead) {
  BuildStandardLog();
  VerifyOptions o = VOpts();
  o.head_seq = 17;
  o.head_hash = Hex(Sha256(lines_[16]));
  lines_[15][lines_[15].find("hello")] = 'j';  // seq 16
  Rechain(lines_, nullptr);
  EXPECT_TRUE(Tampered(VOpts()).ok) << "nothing signs record 16 yet";
  auto v = VerifyAuditLog(o);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 17u) << v.problem;  // the head's hash no longer matches
}

TEST_F(AuditLogTest, ForgedCheckpointSignatureIsFound) {
  BuildStandardLog();
  std::string& cp = lines_[6];  // seq 7
  const size_t dash = cp.find("\xE2\x80\x94 ");
  ASSERT_NE(dash, std::string::npos);
  const size_t sig = cp.find(' ', dash + 4) + 1;  // after "— <name> "
  char& c = cp[sig + 40];                         // inside the signature, past the key id
  c = c == 'A' ? 'B' : 'A';
  auto v = Tampered(VOpts(false));
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 7u) << v.problem;
  EXPECT_NE(v.problem.find("does not verify"), std::string::npos) << v.problem;
}

TEST_F(AuditLogTest, ResignedLogIsFoundWithTheRealKey) {
  BuildStandardLog();
  // The attacker edits record 3, recomputes every hash and tree head, signs them with a
  // key of their own under the same name, and replaces the exported checkpoint too.
  lines_[2][lines_[2].find("hello")] = 'j';
  auto attacker = NoteSigner::Generate(Key().name());
  ASSERT_TRUE(attacker.ok());
  Rechain(lines_, &*attacker);
  WriteLines(LogPath(), lines_);
  auto last_cp = ParseRecord(lines_[13]);
  ASSERT_TRUE(last_cp.ok());
  dir_.Write("audit.log.checkpoint", last_cp->data["note"].get<std::string>());
  // Consistent in itself: it verifies with the attacker's key, or with none...
  VerifyOptions theirs = VOpts();
  theirs.key = *NoteVerifier::Parse(attacker->VerifierKey());
  EXPECT_TRUE(VerifyAuditLog(theirs).ok) << VerifyAuditLog(theirs).problem;
  // ...but not with the real one.
  auto v = VerifyAuditLog(VOpts(false));
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 7u) << v.problem;
  auto v2 = VerifyAuditLog(VOpts());
  EXPECT_FALSE(v2.ok);  // the exported checkpoint's signature is checked first
  EXPECT_NE(v2.problem.find(".checkpoint"), std::string::npos) << v2.problem;
}

TEST_F(AuditLogTest, CheckpointClaimingTheWrongSizeIsFound) {
  BuildStandardLog();
  auto rec = ParseRecord(lines_[6]);
  ASSERT_TRUE(rec.ok());
  rec->data["tree_size"] = 5;
  lines_[6] = FormatRecord(rec->seq, rec->prev, rec->time, rec->type, rec->data.dump());
  Rechain(lines_, nullptr);
  auto v = Tampered(VOpts(false));
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 7u) << v.problem;
}

TEST_F(AuditLogTest, ForgedExportedCheckpointIsFound) {
  BuildStandardLog();
  auto other = NoteSigner::Generate(Key().name());
  ASSERT_TRUE(other.ok());
  MerkleTree tree;
  for (size_t i = 0; i < 13; ++i) tree.AppendLeaf(lines_[i]);
  dir_.Write("audit.log.checkpoint", *other->Sign(CheckpointText(kOrigin, 13, tree.Root())));
  auto v = VerifyAuditLog(VOpts());
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.problem.find(".checkpoint"), std::string::npos) << v.problem;
  dir_.Write("audit.log.checkpoint", "garbage\n");
  EXPECT_FALSE(VerifyAuditLog(VOpts()).ok);
  // A missing exported checkpoint is a note, not a failure.
  ASSERT_EQ(::unlink((LogPath() + ".checkpoint").c_str()), 0);
  auto v3 = VerifyAuditLog(VOpts());
  EXPECT_TRUE(v3.ok) << v3.problem;
}

TEST_F(AuditLogTest, TornLastLineIsReportedAndRepairedByOpen) {
  BuildStandardLog();
  const std::string torn = R"({"seq":18,"prev":"0123)";
  WriteLines(LogPath(), lines_, torn);
  auto v = VerifyAuditLog(VOpts());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 18u) << v.problem;
  EXPECT_NE(v.problem.find("torn"), std::string::npos) << v.problem;
  EXPECT_EQ(v.records, 17u);

  AuditOpenReport report;
  auto log = MustOpen(Options(5, 0), &report);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(report.repaired_bytes, torn.size());
  EXPECT_EQ(report.records, 18u);  // 17 and the repair record
  const auto lines = ReadLines(LogPath());
  ASSERT_EQ(lines.size(), 18u);
  auto rec = ParseRecord(lines[17]);
  ASSERT_TRUE(rec.ok()) << lines[17];
  EXPECT_EQ(rec->type, "repair");
  EXPECT_EQ(rec->seq, 18u);
  EXPECT_EQ(rec->prev, Sha256(lines_[16]));
  EXPECT_EQ(rec->data["truncated_bytes"], torn.size());
  auto after = VerifyAuditLog(VOpts());
  EXPECT_TRUE(after.ok) << after.problem;
  // The chain continues after the repair.
  auto r = Batch(*log, 100, 1, T(50));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].seq, 19u);
  EXPECT_TRUE(VerifyAuditLog(VOpts()).ok);
}

TEST_F(AuditLogTest, TornWholeRecordWithoutNewlineIsCut) {
  BuildStandardLog();
  // A complete record whose newline never reached the disk is still a torn line.
  std::string last = lines_.back();
  lines_.pop_back();
  WriteLines(LogPath(), lines_, last);
  AuditOpenReport report;
  auto log = MustOpen(Options(5, 0), &report);
  EXPECT_EQ(report.repaired_bytes, last.size());
  EXPECT_EQ(report.records, 17u);  // 16 and the repair record
  EXPECT_TRUE(VerifyAuditLog(VOpts()).ok);
}

TEST_F(AuditLogTest, EmptyAndMissingLogs) {
  {
    auto log = MustOpen(Options(5, 0));
    EXPECT_EQ(log->last_seq(), 0u);
  }
  auto v = VerifyAuditLog(VOpts());
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.records, 0u);
  VerifyOptions missing;
  missing.log_path = dir_.File("nope.log");
  EXPECT_FALSE(VerifyAuditLog(missing).ok);
}

// Regression test, fixed (crash): VerifyAuditLog throws instead of reporting a problem when a checkpoint
// record's data holds "tree_size" or "note" of the wrong JSON type (nlohmann's value()
// throws type_error), or when a checkpoint note's size line has 20 digits above 2^64-1
// (std::stoull throws out_of_range). An edited log must be reported, never crash `vigil
// verify`. These tests fail until the verifier handles them.
TEST_F(AuditLogTest, CheckpointWithWrongTypesIsReportedNotThrown) {
  BuildStandardLog();
  auto rec = ParseRecord(lines_[6]);
  ASSERT_TRUE(rec.ok());
  for (const nlohmann::json& bad_size : {nlohmann::json("6"), nlohmann::json::array(), nlohmann::json(nullptr)}) {
    nlohmann::json data = rec->data;
    data["tree_size"] = bad_size;
    lines_[6] = FormatRecord(rec->seq, rec->prev, rec->time, rec->type, data.dump());
    VerifyResult v;
    EXPECT_NO_THROW(v = Tampered(VOpts(false))) << "tree_size " << bad_size.dump();
    EXPECT_FALSE(v.ok);
  }
  nlohmann::json data = rec->data;
  data["note"] = 42;
  lines_[6] = FormatRecord(rec->seq, rec->prev, rec->time, rec->type, data.dump());
  VerifyResult v;
  EXPECT_NO_THROW(v = Tampered(VOpts(false))) << "note 42";
  EXPECT_FALSE(v.ok);
}

TEST_F(AuditLogTest, CheckpointNoteWithHugeSizeIsReportedNotThrown) {
  BuildStandardLog();
  const auto original = lines_;
  auto rec = ParseRecord(lines_[6]);
  ASSERT_TRUE(rec.ok());
  auto signer = NoteSigner::Generate("x");
  const std::string note = *signer->Sign(std::string(kOrigin) + "\n99999999999999999999\n" +
                                         Base64(std::string(32, 'a')) + "\n");
  nlohmann::json data = rec->data;
  data["note"] = note;
  lines_[6] = FormatRecord(rec->seq, rec->prev, rec->time, rec->type, data.dump());
  VerifyResult v;
  EXPECT_NO_THROW(v = Tampered(VOpts(false)));
  EXPECT_FALSE(v.ok);
  // The same through the exported checkpoint file.
  WriteLines(LogPath(), original);
  dir_.Write("audit.log.checkpoint", note);
  VerifyResult v2;
  EXPECT_NO_THROW(v2 = VerifyAuditLog(VOpts()));
  EXPECT_FALSE(v2.ok);
}

}  // namespace
}  // namespace vigil::audit
