#include "vigil/names.h"

#include <algorithm>

namespace vigil {

bool IsPlainName(std::string_view s, size_t max_len) {
  if (s.empty() || s.size() > max_len || s.front() == '-' || s.front() == '.') return false;
  return std::all_of(s.begin(), s.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_' || ch == '.';
  });
}

std::string JoinNames(const std::vector<std::string>& names) {
  if (names.empty()) return "(none)";
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace vigil
