#include "vigil/report/bundle.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "audit/digest.h"

namespace vigil::report {
namespace {

namespace fs = std::filesystem;

constexpr uintmax_t kMaxBundleFileBytes = uintmax_t{1} << 30;

bool PlainName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\n') == std::string::npos && name.find('\0') == std::string::npos;
}

Status WriteFile(const fs::path& path, const std::string& content) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) return Status::IoError("cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::IoError("cannot rename " + tmp.string() + ": " + ec.message());
  return Status::Ok();
}

std::optional<std::string> ReadSmall(const fs::path& path) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  if (ec || size > kMaxBundleFileBytes) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

Status WriteBundle(const std::string& dir, const std::vector<BundleFile>& files, const audit::NoteSigner& signer) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    return Status::AlreadyExists(dir + " exists and is not empty; a bundle is written to a new directory");
  }
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create " + dir + ": " + ec.message());
  std::map<std::string, std::string> all;
  for (const BundleFile& f : files) {
    if (!PlainName(f.name) || f.name == kManifestName || f.name == kSignatureName || f.name == kSignerKeyName) {
      return Status::InvalidArgument("bad bundle file name '" + f.name + "'");
    }
    all[f.name] = f.content;
  }
  all[kSignerKeyName] = signer.VerifierKey() + "\n";
  std::string manifest;
  for (const auto& [name, content] : all) {
    VIGIL_RETURN_IF_ERROR(WriteFile(fs::path(dir) / name, content));
    manifest += audit::Hex(audit::Sha256(content)) + "  " + name + "\n";
  }
  auto note = signer.Sign(std::string(kBundleHeader) + manifest);
  if (!note.ok()) return note.status();
  VIGIL_RETURN_IF_ERROR(WriteFile(fs::path(dir) / kManifestName, manifest));
  return WriteFile(fs::path(dir) / kSignatureName, *note);
}

BundleCheck VerifyBundle(const std::string& dir, const std::optional<audit::NoteVerifier>& given_key) {
  BundleCheck c;
  auto problem = [&c](std::string p) { c.problems.push_back(std::move(p)); };
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    problem(dir + " is not a directory (a report bundle is a directory)");
    return c;
  }
  const auto manifest = ReadSmall(fs::path(dir) / kManifestName);
  const auto sig = ReadSmall(fs::path(dir) / kSignatureName);
  if (!manifest) problem("no readable " + std::string(kManifestName));
  if (!sig) problem("no readable " + std::string(kSignatureName));

  std::optional<audit::NoteVerifier> key = given_key;
  if (!key) {
    auto own = audit::LoadVerifierKey((fs::path(dir) / kSignerKeyName).string());
    if (own.ok()) {
      key = std::move(*own);
      c.key_from_bundle = true;
    } else {
      problem("no key given, and the bundle's own key: " + own.status().message());
    }
  }
  if (key) c.key = key->name();

  if (sig && manifest) {
    auto note = audit::ParseNote(*sig);
    if (!note.ok()) {
      problem(std::string(kSignatureName) + ": " + note.status().message());
    } else {
      if (key) {
        if (Status s = key->Verify(*note); !s.ok()) problem(std::string(kSignatureName) + ": " + s.message());
      }
      if (note->text != std::string(kBundleHeader) + *manifest) {
        problem(std::string(kSignatureName) + " does not sign this " + kManifestName + " (the manifest was changed)");
      }
    }
  }

  std::map<std::string, std::string> listed;  // name -> hex
  if (manifest) {
    std::istringstream in(*manifest);
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
      ++n;
      const size_t sep = line.find("  ");
      const std::string hex = sep == std::string::npos ? "" : line.substr(0, sep);
      const std::string name = sep == std::string::npos ? "" : line.substr(sep + 2);
      if (hex.size() != 64 || !audit::HashFromHex(hex) || !PlainName(name) || listed.count(name) != 0) {
        problem(std::string(kManifestName) + ":" + std::to_string(n) + ": not a \"<sha256>  <file>\" line");
        continue;
      }
      listed[name] = hex;
    }
    for (const auto& [name, hex] : listed) {
      c.files.push_back(name);
      const auto content = ReadSmall(fs::path(dir) / name);
      if (!content) {
        problem(name + ": listed in the manifest but missing or unreadable");
      } else if (audit::Hex(audit::Sha256(*content)) != hex) {
        problem(name + ": SHA-256 differs from the manifest (the file was changed)");
      }
    }
    if (listed.count(kSignerKeyName) == 0) problem(std::string(kSignerKeyName) + " is not in the manifest");
  }
  std::vector<std::string> extra;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == kManifestName || name == kSignatureName || listed.count(name) != 0) continue;
    extra.push_back(name);
  }
  std::sort(extra.begin(), extra.end());
  for (const std::string& name : extra) problem(name + ": not in the manifest (a file was added)");
  c.ok = c.problems.empty();
  return c;
}

}  // namespace vigil::report
