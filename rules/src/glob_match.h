// GlobMatch: fnmatch(3)-style wildcard matching without flags, over string_views.
//
// `*` matches any run of characters (including `/`), `?` one character, `[abc]`, `[a-z]`,
// `[!a-z]` (or `[^a-z]`) a character class, and `\x` the character x. A `[` without its
// closing `]` matches itself. Runs in O(|pattern| * |text|) worst case, allocates nothing.
#pragma once

#include <string_view>

namespace vigil::rules {

bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace vigil::rules
