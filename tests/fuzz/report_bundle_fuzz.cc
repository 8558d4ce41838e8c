// libFuzzer target for report bundles (reports/include/vigil/report/bundle.h): the input is
// cut at NUL bytes into SHA256SUMS, SHA256SUMS.sig, signer.pub and report.json, written to a
// directory and checked by VerifyBundle, with the test key and with the bundle's own key.
// Then the last part is written as a real bundle (WriteBundle with the test key), which
// must verify, and must fail once its manifest no longer matches.
//
// Properties: no crash, no exception, no unbounded memory; a hostile manifest or signature
// never verifies; an honest bundle always does.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/report/bundle.h"

namespace {

using namespace vigil;

// golang.org/x/mod/sumdb/note test key (public test vector, not a secret).
constexpr std::string_view kSkey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kVkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

struct Setup {
  std::string dir;
  audit::NoteSigner signer;
  audit::NoteVerifier verifier;
};

Setup& Get() {
  static Setup* s = [] {
    char tmpl[] = "/tmp/vigil-bundle-fuzz-XXXXXX";
    const char* d = mkdtemp(tmpl);
    if (d == nullptr) std::abort();
    auto signer = audit::NoteSigner::FromPrivateKey(kSkey);
    auto verifier = audit::NoteVerifier::Parse(kVkey);
    if (!signer.ok() || !verifier.ok()) std::abort();
    return new Setup{d, std::move(*signer), std::move(*verifier)};
  }();
  return *s;
}

void Write(const std::string& path, std::string_view content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(content.data(), static_cast<std::streamsize>(content.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Setup& s = Get();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= input.size() && parts.size() < 4; ++i) {
    if (i == input.size() || input[i] == '\0') {
      parts.push_back(input.substr(start, i - start));
      start = i + 1;
    }
  }
  while (parts.size() < 4) parts.emplace_back();

  const std::string hostile = s.dir + "/hostile";
  std::filesystem::remove_all(hostile);
  std::filesystem::create_directories(hostile);
  Write(hostile + "/SHA256SUMS", parts[0]);
  Write(hostile + "/SHA256SUMS.sig", parts[1]);
  Write(hostile + "/signer.pub", parts[2]);
  Write(hostile + "/report.json", parts[3]);
  const report::BundleCheck with_key = report::VerifyBundle(hostile, s.verifier);
  (void)report::VerifyBundle(hostile, std::nullopt);
  // Only the test key's signature can verify, and the fuzzer cannot forge one.
  if (with_key.ok && parts[1].find("PeterNeumann") == std::string_view::npos) std::abort();

  const std::string honest = s.dir + "/honest";
  std::filesystem::remove_all(honest);
  if (report::WriteBundle(honest, {{"report.json", std::string(parts[3])}}, s.signer).ok()) {
    if (!report::VerifyBundle(honest, s.verifier).ok) std::abort();
    Write(honest + "/SHA256SUMS", std::string(parts[0]) + "x");
    if (report::VerifyBundle(honest, s.verifier).ok) std::abort();
  }
  return 0;
}
