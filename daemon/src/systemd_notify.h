// SystemdNotifier: the sd_notify(3) protocol, when started by systemd with Type=notify.
//
// Every call is a no-op when $NOTIFY_SOCKET is unset, so the daemon behaves the same in a
// terminal. Called from the daemon's main (Asio) thread only.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace vigil {

class SystemdNotifier {
 public:
  SystemdNotifier();
  bool enabled() const { return enabled_; }
  void Ready();
  void Reloading();
  void Stopping();
  void Status(std::string_view text);
  void Watchdog();
  // Half of WATCHDOG_USEC when systemd asked for keep-alives for this process.
  std::optional<std::chrono::microseconds> WatchdogInterval() const { return watchdog_; }

 private:
  void Send(std::string_view state);
  bool enabled_ = false;
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace vigil
