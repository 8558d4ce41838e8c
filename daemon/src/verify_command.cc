#include "verify_command.h"

#include <sys/stat.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "audit/audit_verifier.h"
#include "audit_snapshot.h"
#include "config_source.h"
#include "router_setup.h"
#include "vigil/log.h"
#include "vigil/report/bundle.h"

namespace vigil {
namespace {

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "vigil verify: %s\n", message.c_str());
  return 2;
}

// `vigil verify --report DIR [--key K]`: the bundle's signature and sums (report/bundle.h).
// Without --key, the key beside the configured (or --db) store, else the bundle's own copy.
int VerifyReport(const VerifyCommandOptions& o) {
  std::string key_path = o.key;
  if (key_path.empty() && !o.db.empty()) key_path = AuditKeyPathFor(o.db) + ".pub";
  if (key_path.empty() && !o.config_path.empty()) {
    Diagnostics diags;
    auto config = LoadEffectiveConfig(o.config_path, diags);
    if (!config.ok()) {
      std::fputs(diags.FormatText().c_str(), stderr);
      return Fail("invalid configuration");
    }
    key_path = AuditKeyPathFor(StorePathIn(config->state_dir)) + ".pub";
  }
  std::optional<audit::NoteVerifier> key;
  if (!key_path.empty()) {
    auto parsed = audit::LoadVerifierKey(key_path);
    if (!parsed.ok()) return Fail(parsed.status().message());
    key = std::move(*parsed);
  }
  const report::BundleCheck c = report::VerifyBundle(o.report, key);
  if (o.format == "json") {
    nlohmann::json j = {{"report", o.report},       {"ok", c.ok},       {"files", c.files},
                        {"key", c.key},             {"key_from_bundle", c.key_from_bundle},
                        {"problems", c.problems}};
    std::printf("%s\n", j.dump().c_str());
    return c.ok ? 0 : 1;
  }
  if (!c.ok) {
    std::printf("%s: FAILED\n", o.report.c_str());
    for (const std::string& p : c.problems) std::printf("  %s\n", p.c_str());
    return 1;
  }
  std::printf("%s: OK: %zu files match the manifest, signed by %s\n", o.report.c_str(), c.files.size(), c.key.c_str());
  if (c.key_from_bundle) {
    std::printf("  note: checked with the bundle's own signer.pub; pass --key with the key you hold to prove who "
                "signed it\n");
  }
  return 0;
}

}  // namespace

int RunVerifyCommand(const VerifyCommandOptions& o) {
  SetLogLevel(LogLevel::kError);
  if (!o.report.empty()) return VerifyReport(o);
  // Which store, log and key: flags first, then the configured state directory.
  std::string db = o.db;
  std::string log = o.audit_log;
  if (log.empty() && db.empty()) {
    Diagnostics diags;
    auto config = LoadEffectiveConfig(o.config_path, diags);
    if (!config.ok()) {
      std::fputs(diags.FormatText().c_str(), stderr);
      return Fail("invalid configuration");
    }
    db = StorePathIn(config->state_dir);
  }
  if (log.empty()) log = AuditLogPathFor(db);
  if (db.empty()) {
    constexpr std::string_view kSuffix = ".audit.log";
    if (log.size() > kSuffix.size() && log.compare(log.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0) {
      db = log.substr(0, log.size() - kSuffix.size()) + ".db";
    }
  }
  if (!Exists(log)) return Fail("no audit log at " + log);

  const std::string key_path = !o.key.empty() ? o.key : AuditKeyPathFor(db.empty() ? log : db) + ".pub";
  if (!o.key.empty() && !Exists(o.key)) return Fail("no key file " + o.key);
  auto snapshot = SnapshotForVerify({.log = log, .store = db, .public_key = key_path});
  if (!snapshot.ok()) return Fail(snapshot.status().message());
  const audit::VerifyOptions& vo = *snapshot;
  const audit::VerifyResult r = audit::VerifyAuditLog(vo);
  if (o.format == "json") {
    nlohmann::json j = {{"audit_log", log},
                        {"ok", r.ok},
                        {"records", r.records},
                        {"checkpoints", r.checkpoints},
                        {"signed_records", r.signed_records},
                        {"key", vo.key ? vo.key->name() : ""},
                        {"store", vo.head_seq ? db : ""},
                        {"notes", r.notes}};
    if (!r.ok) j["problem"] = {{"seq", r.problem_seq}, {"line", r.problem_line}, {"message", r.problem}};
    std::printf("%s\n", j.dump().c_str());
    return r.ok ? 0 : 1;
  }
  if (!r.ok) {
    std::printf("%s: FAILED: %s\n", log.c_str(), r.problem.c_str());
    return 1;
  }
  std::printf("%s: OK: %llu records, %llu signed checkpoint%s verified (the last covers %llu records)%s%s\n",
              log.c_str(), static_cast<unsigned long long>(r.records),
              static_cast<unsigned long long>(r.checkpoints), r.checkpoints == 1 ? "" : "s",
              static_cast<unsigned long long>(r.signed_records), vo.key ? ", key " : "",
              vo.key ? vo.key->name().c_str() : "");
  for (const auto& n : r.notes) std::printf("  note: %s\n", n.c_str());
  return 0;
}

}  // namespace vigil
