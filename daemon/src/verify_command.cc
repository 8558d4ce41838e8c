#include "verify_command.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "audit/audit_verifier.h"
#include "config_source.h"
#include "router_setup.h"
#include "store/alert_store.h"
#include "vigil/log.h"

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

}  // namespace

int RunVerifyCommand(const VerifyCommandOptions& o) {
  SetLogLevel(LogLevel::kError);
  if (!o.report.empty()) {
    std::fprintf(stderr, "vigil verify: --report: report bundles are not available yet in this build\n");
    return 2;
  }
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

  audit::VerifyOptions vo;
  vo.log_path = log;
  vo.checkpoint_path = log + ".checkpoint";
  const std::string key_path = !o.key.empty() ? o.key : AuditKeyPathFor(db.empty() ? log : db) + ".pub";
  if (Exists(key_path)) {
    std::ifstream in(key_path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto key = audit::NoteVerifier::Parse(text);
    if (!key.ok()) return Fail(key_path + ": " + key.status().message());
    vo.key = std::move(*key);
  } else if (!o.key.empty()) {
    return Fail("no key file " + o.key);
  }
  if (!db.empty() && Exists(db)) {
    auto st = store::AlertStore::Open(db, sqlite::kReadOnly);
    if (!st.ok()) return Fail(st.status().message());
    auto head = (*st)->Head();
    if (!head.ok()) return Fail(head.status().message());
    if (*head) {
      vo.head_seq = (*head)->seq;
      vo.head_hash = (*head)->hash;
    }
  }
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
