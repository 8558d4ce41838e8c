// The stdout output and its factory; see stdout_output.h.
#include "stdout_output.h"

#include <unistd.h>

#include <cstring>

namespace vigil {

StdoutOutput::StdoutOutput(OutputEnv env, AlertLineFormat format, int fd)
    : QueuedOutput(std::move(env)), format_(format), fd_(fd) {}

StdoutOutput::~StdoutOutput() { StopWorker(); }

QueuedOutput::Delivery StdoutOutput::Deliver(const AlertMessage& m) {
  if (int err = WriteAll(fd_, FormatAlertLine(m, format_)); err != 0) {
    return Delivery::Retry(std::string("write to standard output: ") + std::strerror(err));
  }
  return Delivery::Ok();
}

namespace {

class StdoutOutputFactory : public OutputFactory {
 public:
  std::string_view name() const override { return "stdout"; }
  std::string_view description() const override {
    return "each alert as one line on standard output (JSON or text)";
  }
  Result<std::unique_ptr<Output>> Create(ConfigSection& s, const OutputEnv& env) const override {
    const bool text = s.Enum("format", "json", {"json", "text"}) == "text";
    s.Finish();
    return std::unique_ptr<Output>(std::make_unique<StdoutOutput>(
        env, text ? AlertLineFormat::kText : AlertLineFormat::kJson, STDOUT_FILENO));
  }
};

}  // namespace

VIGIL_REGISTER_OUTPUT(StdoutOutputFactory);

}  // namespace vigil
