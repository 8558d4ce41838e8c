#include "process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace vigil {
namespace {

// Fields of /proc/self/stat after the command name, which may contain spaces and ')'.
std::vector<std::string> StatFields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  size_t close = line.rfind(')');
  std::vector<std::string> fields;
  if (close == std::string::npos) return fields;
  std::istringstream rest(line.substr(close + 2));
  std::string f;
  while (rest >> f) fields.push_back(f);
  return fields;  // fields[0] is field 3 (state) of proc(5)
}

double BootTime() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> value;
      return value;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

int OpenFds() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') ++n;
    }
    closedir(d);
    --n;  // the descriptor of this very listing
  }
  return n;
}

}  // namespace

uint64_t ResidentMemoryBytes() {
  std::ifstream in("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  if (!(in >> size >> resident)) return 0;
  const long page = sysconf(_SC_PAGESIZE);
  return page > 0 ? resident * static_cast<uint64_t>(page) : 0;
}

void WriteProcessMetrics(MetricWriter& out) {
  std::vector<std::string> f = StatFields();
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  // proc(5) field n is f[n - 3].
  if (f.size() > 21 && ticks > 0) {
    double utime = std::strtod(f[11].c_str(), nullptr);
    double stime = std::strtod(f[12].c_str(), nullptr);
    double start = std::strtod(f[19].c_str(), nullptr);
    out.Counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                {}, (utime + stime) / ticks);
    out.Gauge("process_start_time_seconds",
              "Start time of the process since unix epoch in seconds.", {},
              BootTime() + start / ticks);
    out.Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", {},
              std::strtod(f[20].c_str(), nullptr));
    out.Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", {},
              std::strtod(f[21].c_str(), nullptr) * page);
  }
  out.Gauge("process_open_fds", "Number of open file descriptors.", {}, OpenFds());
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    out.Gauge("process_max_fds", "Maximum number of open file descriptors.", {},
              static_cast<double>(rl.rlim_cur));
  }
}

}  // namespace vigil
