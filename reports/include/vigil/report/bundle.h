// Report bundles: a directory holding a report's files, a manifest of their SHA-256 sums and
// the manifest's Ed25519 signature, so that an auditor can check that nothing in it changed.
//
//   <dir>/report.html …     the report (one or more formats)
//   <dir>/signer.pub        the verifier key of the signer (a copy, for convenience)
//   <dir>/SHA256SUMS        "<hex>  <file>\n" for every file above, sorted by name:
//                           `sha256sum -c SHA256SUMS` checks it
//   <dir>/SHA256SUMS.sig    a C2SP signed note (audit/signed_note.h) whose text is
//                           "vigil-report-bundle\n" followed by SHA256SUMS, signed with the
//                           daemon's audit key (the key that signs the audit log)
//
// VerifyBundle checks the signature (with the key the auditor holds, or else the bundle's
// own signer.pub, which proves only that the bundle is self-consistent, and says so), that
// the signed text is the manifest, that every listed file has its sum, and that the
// directory holds no file the manifest does not list.
//
// Threading: free functions without shared state.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "audit/signed_note.h"
#include "vigil/status.h"

namespace vigil::report {

inline constexpr const char* kManifestName = "SHA256SUMS";
inline constexpr const char* kSignatureName = "SHA256SUMS.sig";
inline constexpr const char* kSignerKeyName = "signer.pub";
inline constexpr const char* kBundleHeader = "vigil-report-bundle\n";

struct BundleFile {
  std::string name;  // a plain file name: no '/', not "." or ".."
  std::string content;
};

// Creates `dir` (which must not exist, or be empty) and writes the files, signer.pub, the
// manifest and its signature. Files are written to a temporary name and renamed.
Status WriteBundle(const std::string& dir, const std::vector<BundleFile>& files, const audit::NoteSigner& signer);

struct BundleCheck {
  bool ok = false;
  std::vector<std::string> problems;  // each problem found (all of them, not just the first)
  std::vector<std::string> files;     // the files checked
  std::string key;                    // the key name the signature was checked with
  bool key_from_bundle = false;
};

BundleCheck VerifyBundle(const std::string& dir, const std::optional<audit::NoteVerifier>& key);

}  // namespace vigil::report
