// StdoutOutput (`type: stdout`): each alert as one line on standard output, JSON or text.
// Writes go to a file descriptor given at construction (STDOUT_FILENO from the factory; a
// pipe in tests), which the output does not own. Threading: as QueuedOutput.
#pragma once

#include "alert_line.h"
#include "queued_output.h"

namespace vigil {

class StdoutOutput : public QueuedOutput {
 public:
  StdoutOutput(OutputEnv env, AlertLineFormat format, int fd);
  ~StdoutOutput() override;

 protected:
  Delivery Deliver(const AlertMessage& m) override;

 private:
  AlertLineFormat format_;
  int fd_;
};

}  // namespace vigil
