// FileOutput (`type: file`): each alert appended as one line (JSON or text) to a file.
//
// The file is opened O_APPEND|O_CREAT with the configured mode at the first delivery (a
// failure to open is a failed attempt, retried under the retry policy). Reopen()
// (SIGUSR1) makes the worker close and reopen the path before its next write, so logrotate
// can rename the file away and signal: lines written before the signal land in the renamed
// file, lines after it in a new one, none is lost. With `fsync: true` every line is
// fdatasync'ed before it counts as sent. Threading: as QueuedOutput.
#pragma once

#include <sys/types.h>

#include <string>

#include "alert_line.h"
#include "queued_output.h"

namespace vigil {

struct FileOutputOptions {
  std::string path;
  AlertLineFormat format = AlertLineFormat::kJson;
  mode_t mode = 0640;
  bool fsync = false;
};

class FileOutput : public QueuedOutput {
 public:
  FileOutput(OutputEnv env, FileOutputOptions options);
  ~FileOutput() override;

 protected:
  Delivery Deliver(const AlertMessage& m) override;
  void OnReopen() override;
  void OnStop() override;

 private:
  int Open();  // 0 or an errno value
  void Close();

  FileOutputOptions opts_;
  int fd_ = -1;  // worker thread only
};

}  // namespace vigil
