// ReadRegularFile: reading a file a user names (the config file, rule files, the retention
// policy, the web config) without trusting what is at that path. The file is opened with
// O_RDONLY | O_NONBLOCK | O_CLOEXEC, so that a FIFO cannot block the open, then fstat()ed:
// anything but a regular file (FIFO, directory, character or block device, socket) is
// refused with the file type named, so that `vigil check -c fifo` or a SIGHUP never waits
// on a writer and a device never streams forever. A file over `max_bytes` (by its size, or
// because it grew while read) is refused too. Symbolic links are followed.
//
// Errors: the Status message is a short reason without the path (callers put the path in
// the diagnostic's location): "is a FIFO (named pipe)", "is a directory", "No such file or
// directory", ... with code kNotFound when the path does not exist, kInvalidArgument when the
// file is too large, kFailedPrecondition when it is not a regular file, kIoError otherwise.
//
// Threading: a pure function; safe from any thread.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "vigil/status.h"

namespace vigil {

// kEmpty: the null device (/dev/null) reads as an empty file, for `vigil ... -c /dev/null`
// ("no configuration file: the defaults"). Any other device is refused either way.
enum class NullDevice { kRefuse, kEmpty };

// The whole content of the regular file `path`, at most `max_bytes` bytes.
Result<std::string> ReadRegularFile(const std::string& path, size_t max_bytes,
                                    NullDevice null_device = NullDevice::kRefuse);

// What kind of file `mode` (st_mode) describes, e.g. "a FIFO (named pipe)", "a directory".
std::string_view FileTypeName(mode_t mode);

// "4 MiB", "64 KiB" or "1000 bytes": a size limit as people write it.
std::string SizeLimitText(size_t bytes);

}  // namespace vigil
