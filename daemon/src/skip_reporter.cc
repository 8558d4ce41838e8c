#include "skip_reporter.h"

#include <atomic>
#include <memory>

#include "vigil/log.h"

namespace vigil {

CollectorContext::SkipReporter MakeSkipReporter(std::string instance, uint64_t detailed,
                                                SkipEmitter emit) {
  if (!emit) emit = [](const std::string& m) { VIGIL_LOG(kWarning) << m; };
  auto count = std::make_shared<std::atomic<uint64_t>>(0);
  return [instance = std::move(instance), detailed, count, emit = std::move(emit)](
             std::string_view where, std::string_view reason) {
    uint64_t n = count->fetch_add(1, std::memory_order_relaxed) + 1;
    if (n <= detailed) {
      emit(std::string(where) + ": skipped: " + std::string(reason));
      if (n == detailed) {
        emit("collector '" + instance + "': further skipped input is summarised every 1000 items");
      }
    } else if (n % 1000 == 0) {
      emit("collector '" + instance + "': " + std::to_string(n) + " inputs skipped so far; latest " +
           std::string(where) + ": " + std::string(reason));
    }
  };
}

}  // namespace vigil
