// Helpers shared by the tests over ../shared/corpora/pcap (corpus_test.cc: accounting and
// flows; app_oracle_test.cc: application metadata against tshark).
#pragma once

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace vigil::network {

inline std::string CorpusDir(const std::string& name) {
  return vigil::testing::SharedDir() + "/corpora/pcap/" + name;
}

// Regular files in `dir` (sorted), optionally only capture file names.
inline std::vector<std::string> Files(const std::string& dir, bool captures_only) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == ".." || name == "expected") continue;
    const bool capture = name.ends_with(".pcap") || name.ends_with(".pcapng") || name.ends_with(".cap");
    if (!captures_only || capture) out.push_back(name);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// The full path of `program` on $PATH, or "" (RunCommand wants a path).
inline std::string FindProgram(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = dirs.substr(start, end - start) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

}  // namespace vigil::network
