// libFuzzer target for the audit log's readers: the input is written to a file and read as
// an audit log by VerifyAuditLog (with a key, then also as its own exported checkpoint with
// a store head), line by line by ParseRecord, whole by ParseNote, NoteVerifier::Parse and
// NoteSigner::FromPrivateKey, and finally opened by AuditLog::Open (torn-tail repair, the
// writer's catch-up over whatever is there) and appended to.
//
// Properties: no crash, no exception, no unbounded memory; and a log that verified before
// still verifies after the writer opened it and appended a record and a checkpoint.
// Seeds (tests/fuzz/corpus/audit_verify/) are small valid logs signed with the published
// Go sumdb/note test key "PeterNeumann", which this target verifies with; make them with
// tests/fuzz/make_audit_seeds.py. Set VIGIL_AUDIT_FUZZ_DEBUG=1 to print each verdict.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "audit/audit_log.h"
#include "audit/audit_record.h"
#include "audit/audit_verifier.h"
#include "audit/signed_note.h"
#include "vigil/log.h"

namespace {

using namespace vigil::audit;

// golang.org/x/mod/sumdb/note test key (public test vector, not a secret).
constexpr std::string_view kSkey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kVkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

struct Setup {
  std::string log, key;
  NoteVerifier verifier;
  bool debug = false;
};

const Setup& Get() {
  static const Setup* setup = [] {
    vigil::SetLogLevel(vigil::LogLevel::kError);
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/vigil-audit-fuzz-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    auto* s = new Setup{tmpl + "/audit.log", tmpl + "/audit.key", *NoteVerifier::Parse(kVkey),
                        std::getenv("VIGIL_AUDIT_FUZZ_DEBUG") != nullptr};
    std::FILE* f = std::fopen(s->key.c_str(), "wb");
    if (f == nullptr) std::abort();
    std::fprintf(f, "%.*s\n", static_cast<int>(kSkey.size()), kSkey.data());
    std::fclose(f);
    ::chmod(s->key.c_str(), 0600);
    return s;
  }();
  return *setup;
}

void WriteFile(const std::string& path, std::string_view data) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (!data.empty() && std::fwrite(data.data(), 1, data.size(), f) != data.size()) std::abort();
  std::fclose(f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Setup& s = Get();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  WriteFile(s.log, input);
  ::unlink((s.log + ".checkpoint").c_str());

  VerifyOptions o;
  o.log_path = s.log;
  o.key = s.verifier;
  const VerifyResult before = VerifyAuditLog(o);
  if (s.debug) std::fprintf(stderr, "verify: %s %s\n", before.ok ? "ok" : "FAIL", before.problem.c_str());
  if (before.ok && before.problem_seq != 0) std::abort();

  // The same bytes as the exported checkpoint, with a store head.
  VerifyOptions anchored = o;
  anchored.checkpoint_path = s.log;
  anchored.head_seq = 2;
  anchored.head_hash = std::string(64, '0');
  (void)VerifyAuditLog(anchored);

  std::string_view rest = input;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    (void)ParseRecord(rest.substr(0, nl));
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  }
  (void)ParseNote(input);
  (void)NoteVerifier::Parse(input);
  (void)NoteSigner::FromPrivateKey(input);

  AuditLogOptions ao;
  ao.path = s.log;
  ao.key_path = s.key;
  ao.origin = "fuzz/vigil/audit";
  ao.checkpoint_every = 0;
  ao.checkpoint_interval = std::chrono::seconds(0);
  ao.sync = false;
  auto log = AuditLog::Open(ao);
  if (!log.ok()) {
    if (before.ok) std::abort();  // a log that verifies must open
    return 0;
  }
  const vigil::Timestamp t{std::chrono::seconds(1'795'000'000)};
  if (!(*log)->Lock().ok()) std::abort();
  if (!(*log)->Append("event", R"({"fuzz":true})", t).ok()) std::abort();
  if (!(*log)->CommitWithCheckpoint(t).ok()) std::abort();
  if (before.ok) {
    VerifyOptions again = o;
    again.checkpoint_path = s.log + ".checkpoint";
    const VerifyResult after = VerifyAuditLog(again);
    if (s.debug) std::fprintf(stderr, "after append: %s %s\n", after.ok ? "ok" : "FAIL", after.problem.c_str());
    if (!after.ok || after.records != before.records + 2) std::abort();
  }
  return 0;
}
