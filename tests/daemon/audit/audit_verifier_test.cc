// Tests for daemon/src/audit/audit_verifier.{h,cc}: a clean log verifies with the `.pub`
// key, and each tamper must be found at the right record: edits, removals, reorderings,
// duplicates, a re-chained edit (caught by a checkpoint's Merkle root), forged signatures,
// truncation (caught by the exported checkpoint or the store's head), a torn last line
// (reported by verify, repaired by Open), and hostile checkpoint records.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "audit/audit_record.h"
#include "audit/audit_verifier.h"
#include "audit/merkle.h"
#include "audit_log_fixture.h"
#include "support/test_support.h"
#include "vigil/time_format.h"

namespace vigil::audit {
namespace {

using namespace vigil::audit::test;  // NOLINT(google-build-using-namespace): the fixture's helpers
using std::chrono::seconds;
using vigil::testing::ReadFile;
using vigil::testing::TempDir;

class AuditVerifierTest : public AuditLogTest {};

// ---- verification -------------------------------------------------------------------------

TEST_F(AuditVerifierTest, CleanLogVerifies) {
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

TEST_F(AuditVerifierTest, WrongKeyFailsAtTheFirstCheckpoint) {
  BuildStandardLog();
  auto other = NoteSigner::Generate(kOrigin);
  VerifyOptions o = VOpts(false);
  o.key = *NoteVerifier::Parse(other->VerifierKey());
  auto v = VerifyAuditLog(o);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 7u) << v.problem;
}

TEST_F(AuditVerifierTest, EditedMiddleRecordIsFound) {
  BuildStandardLog();
  lines_[9][lines_[9].find("hello")] = 'j';  // seq 10, still valid JSON
  auto v = Tampered(VOpts());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 10u) << v.problem;
  EXPECT_EQ(v.records, 10u);
}

TEST_F(AuditVerifierTest, EditedRecordBeforeACheckpointIsFound) {
  BuildStandardLog();
  lines_[2][lines_[2].find("hello")] = 'j';  // seq 3
  auto v = Tampered(VOpts());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 3u) << v.problem;
}

TEST_F(AuditVerifierTest, RecordMadeInvalidIsFound) {
  BuildStandardLog();
  lines_[9][lines_[9].find("\"data\"")] = '#';
  auto v = Tampered(VOpts());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 10u) << v.problem;
  EXPECT_EQ(v.problem_line, 10u);
}

TEST_F(AuditVerifierTest, EditedLastRecordIsFoundByTheStoreHead) {
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

TEST_F(AuditVerifierTest, EditedLastRecordIsFoundByTheExportedCheckpoint) {
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

TEST_F(AuditVerifierTest, DeletedMiddleRecordIsFound) {
  BuildStandardLog();
  lines_.erase(lines_.begin() + 9);  // seq 10
  auto v = Tampered(VOpts());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 10u) << v.problem;
  EXPECT_NE(v.problem.find("missing"), std::string::npos) << v.problem;
}

TEST_F(AuditVerifierTest, DeletedRunOfRecordsIsFound) {
  BuildStandardLog();
  lines_.erase(lines_.begin() + 2, lines_.begin() + 5);  // seq 3-5
  auto v = Tampered(VOpts());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 3u) << v.problem;
}

TEST_F(AuditVerifierTest, TruncationIsFoundByTheExportedCheckpoint) {
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

TEST_F(AuditVerifierTest, TruncationIsFoundByTheStoreHead) {
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

TEST_F(AuditVerifierTest, SwappedRecordsAreFound) {
  BuildStandardLog();
  std::swap(lines_[8], lines_[9]);  // seq 9 and 10
  auto v = Tampered(VOpts());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 9u) << v.problem;
}

TEST_F(AuditVerifierTest, DuplicatedRecordIsFound) {
  BuildStandardLog();
  lines_.insert(lines_.begin() + 10, lines_[9]);  // seq 10 twice
  auto v = Tampered(VOpts());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 10u) << v.problem;
  EXPECT_EQ(v.problem_line, 11u);
  EXPECT_NE(v.problem.find("duplicated"), std::string::npos) << v.problem;
}

TEST_F(AuditVerifierTest, RechainedEditIsFoundByTheCheckpointRoot) {
  BuildStandardLog();
  lines_[2][lines_[2].find("hello")] = 'j';  // seq 3
  Rechain(lines_, nullptr);
  auto v = Tampered(VOpts(false));
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 7u) << v.problem;  // the checkpoint that signs it
  EXPECT_NE(v.problem.find("tree head"), std::string::npos) << v.problem;
}

TEST_F(AuditVerifierTest, RechainedEditAfterTheFirstCheckpointIsFoundByTheNext) {
  BuildStandardLog();
  lines_[9][lines_[9].find("hello")] = 'j';  // seq 10
  Rechain(lines_, nullptr);
  auto v = Tampered(VOpts(false));
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.problem_seq, 14u) << v.problem;
}

TEST_F(AuditVerifierTest, RechainedEditAfterTheLastCheckpointIsFoundByTheStoreHead) {
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

TEST_F(AuditVerifierTest, ForgedCheckpointSignatureIsFound) {
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

TEST_F(AuditVerifierTest, ResignedLogIsFoundWithTheRealKey) {
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

TEST_F(AuditVerifierTest, CheckpointClaimingTheWrongSizeIsFound) {
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

TEST_F(AuditVerifierTest, ForgedExportedCheckpointIsFound) {
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

TEST_F(AuditVerifierTest, TornLastLineIsReportedAndRepairedByOpen) {
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

TEST_F(AuditVerifierTest, TornWholeRecordWithoutNewlineIsCut) {
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

TEST_F(AuditVerifierTest, EmptyAndMissingLogs) {
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
TEST_F(AuditVerifierTest, CheckpointWithWrongTypesIsReportedNotThrown) {
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

TEST_F(AuditVerifierTest, CheckpointNoteWithHugeSizeIsReportedNotThrown) {
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
