// The audit log test fixture: a log in a temporary directory, batches of event records,
// the standard 17-record log of the tamper tests, and the edits an attacker would make
// (re-chaining, re-signing). Shared by audit_log_test (writing), audit_verifier_test
// (tampering) and audit_monitor_test (the daemon's periodic verification).
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "audit/audit_record.h"
#include "audit/audit_verifier.h"
#include "audit/merkle.h"
#include "support/test_support.h"

namespace vigil::audit::test {

using std::chrono::seconds;
using vigil::testing::ReadFile;
using vigil::testing::TempDir;

using std::chrono::seconds;
using vigil::testing::ReadFile;
using vigil::testing::TempDir;

inline constexpr const char* kOrigin = "test-host/vigil/audit";

inline Timestamp T(int64_t s) { return Timestamp(seconds(1'795'000'000 + s)); }

inline std::string EventData(int k) {
  char buf[64];
  std::snprintf(buf, sizeof buf, R"({"msg":"hello-%04d","n":%d})", k, k);
  return buf;
}

inline std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

inline void WriteLines(const std::string& path, const std::vector<std::string>& lines, const std::string& tail = "") {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const auto& l : lines) out << l << '\n';
  out << tail;
}

inline std::string TypeOf(const std::string& line) {
  auto r = ParseRecord(line);
  return r.ok() ? r->type : "<invalid>";
}

inline void SetPrev(std::string& line, const Hash& h) {
  const size_t p = line.find("\"prev\":\"");
  ASSERT_NE(p, std::string::npos);
  line.replace(p + 8, 64, Hex(h));
}

// What an attacker with write access does after editing: recompute every prev so the chain
// is whole again, and (given a signer) recompute and re-sign every checkpoint too.
inline void Rechain(std::vector<std::string>& lines, const NoteSigner* resigner) {
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

}  // namespace vigil::audit::test
