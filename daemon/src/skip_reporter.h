// Reports input that a collector skipped (malformed lines, oversize records): the first
// `detailed` skips of a collector are logged one by one with their location; after that
// one line per 1000 skips, so that a hostile input cannot flood the log. Every skip is
// counted by the collector's counters regardless.
#pragma once

#include <functional>
#include <string>

#include "vigil/collector.h"

namespace vigil {

// Writes one finished message; the default logs it as a warning.
using SkipEmitter = std::function<void(const std::string& message)>;

CollectorContext::SkipReporter MakeSkipReporter(std::string instance, uint64_t detailed,
                                                SkipEmitter emit = nullptr);

}  // namespace vigil
