// The file output and its factory; see file_output.h.
#include "file_output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "vigil/log.h"

namespace vigil {

FileOutput::FileOutput(OutputEnv env, FileOutputOptions options)
    : QueuedOutput(std::move(env)), opts_(std::move(options)) {}

FileOutput::~FileOutput() { StopWorker(); }

int FileOutput::Open() {
  Close();
  fd_ = open(opts_.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, opts_.mode);
  return fd_ < 0 ? errno : 0;
}

void FileOutput::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

QueuedOutput::Delivery FileOutput::Deliver(const AlertMessage& m) {
  if (fd_ < 0) {
    if (int err = Open(); err != 0) {
      return Delivery::Retry("open " + opts_.path + ": " + std::strerror(err));
    }
  }
  if (int err = WriteAll(fd_, FormatAlertLine(m, opts_.format)); err != 0) {
    Close();  // reopened at the next attempt
    return Delivery::Retry("write " + opts_.path + ": " + std::strerror(err));
  }
  if (opts_.fsync && fdatasync(fd_) != 0) {
    int err = errno;
    Close();
    return Delivery::Retry("fdatasync " + opts_.path + ": " + std::strerror(err));
  }
  return Delivery::Ok();
}

void FileOutput::OnReopen() {
  if (int err = Open(); err != 0) {
    VIGIL_LOG(kWarning) << "output '" << name() << "': cannot reopen " << opts_.path << ": "
                        << std::strerror(err) << " (tried again at the next alert)";
  } else {
    VIGIL_LOG(kInfo) << "output '" << name() << "': reopened " << opts_.path;
  }
}

void FileOutput::OnStop() { Close(); }

namespace {

class FileOutputFactory : public OutputFactory {
 public:
  std::string_view name() const override { return "file"; }
  std::string_view description() const override {
    return "alerts appended as JSON (or text) lines to a file; reopened on SIGUSR1";
  }
  Result<std::unique_ptr<Output>> Create(ConfigSection& s, const OutputEnv& env) const override {
    FileOutputOptions o;
    o.path = s.RequiredString("path");
    if (s.Has("path") && (o.path.empty() || o.path.front() != '/')) {
      s.BadValue("path", "must be an absolute path, such as /var/log/vigil/alerts.json");
    }
    o.format = s.Enum("format", "json", {"json", "text"}) == "text" ? AlertLineFormat::kText
                                                                    : AlertLineFormat::kJson;
    const std::string mode = s.String("mode", "0640");
    char* end = nullptr;
    const unsigned long m = std::strtoul(mode.c_str(), &end, 8);
    if (mode.empty() || *end != '\0' || m > 0777 || mode.find_first_of("+-") != std::string::npos) {
      s.BadValue("mode", "'" + mode + "' is not an octal file mode such as 0640");
    } else {
      o.mode = static_cast<mode_t>(m);
    }
    o.fsync = s.Bool("fsync", false);
    s.Finish();
    return std::unique_ptr<Output>(std::make_unique<FileOutput>(env, std::move(o)));
  }
};

}  // namespace

VIGIL_REGISTER_OUTPUT(FileOutputFactory);

}  // namespace vigil
