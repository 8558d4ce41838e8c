// Plain names: what the config accepts for collector and output instance names and users
// (they end up in file names, metric labels and events), and how lists of names are shown
// in messages.
//
// Threading: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

// 1..max_len letters, digits, '-', '_', '.'; not starting with '-' or '.'.
bool IsPlainName(std::string_view s, size_t max_len = 64);
// "a, b, c", or "(none)".
std::string JoinNames(const std::vector<std::string>& names);

}  // namespace vigil
