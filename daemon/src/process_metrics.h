// The standard process_* metrics of Prometheus client libraries, read from /proc/self:
// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_start_time_seconds, process_open_fds, process_max_fds.
#pragma once

#include <cstdint>

#include "vigil/metric_writer.h"

namespace vigil {

void WriteProcessMetrics(MetricWriter& out);

// Resident memory of this process in bytes (/proc/self/statm), or 0 when it cannot be read.
uint64_t ResidentMemoryBytes();

}  // namespace vigil
