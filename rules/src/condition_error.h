// ConditionError: one problem found while lexing, parsing or compiling a condition.
//
// `offset` is a byte offset into the condition text; the rule compiler turns it into a
// FILE:LINE:COL with the ScalarLocator of the YAML scalar the text came from.
#pragma once

#include <cstddef>
#include <string>

namespace vigil::rules {

struct ConditionError {
  std::string code;  // E2xx, see docs/rules.md
  std::string message;
  size_t offset = 0;
};

}  // namespace vigil::rules
