#include "systemd_notify.h"

#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <string>

#include "vigil/log.h"

namespace vigil {

SystemdNotifier::SystemdNotifier() {
  enabled_ = std::getenv("NOTIFY_SOCKET") != nullptr;
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_ = std::chrono::microseconds(usec / 2);
  }
}

void SystemdNotifier::Send(std::string_view state) {
  if (!enabled_) return;
  std::string s(state);
  int rc = sd_notify(0, s.c_str());
  if (rc < 0) VIGIL_LOG(kWarning) << "sd_notify(" << s << ") failed: " << -rc;
}

void SystemdNotifier::Ready() { Send("READY=1"); }
void SystemdNotifier::Reloading() { Send("RELOADING=1"); }
void SystemdNotifier::Stopping() { Send("STOPPING=1"); }
void SystemdNotifier::Watchdog() { Send("WATCHDOG=1"); }

void SystemdNotifier::Status(std::string_view text) {
  std::string s = "STATUS=";
  for (char c : text) s += (c == '\n' ? ' ' : c);
  Send(s);
}

}  // namespace vigil
