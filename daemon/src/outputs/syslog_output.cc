// The syslog output and its factory; see syslog_output.h.
#include "syslog_output.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace vigil {
namespace {

std::string Errno(std::string_view what, int err) {
  return std::string(what) + ": " + std::strerror(err);
}

void SetTimeouts(int fd, std::chrono::milliseconds t) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(t.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((t.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  // also bounds connect()
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

}  // namespace

bool SplitHostPort(std::string_view address, std::string* host, std::string* port) {
  std::string_view h, p;
  if (!address.empty() && address.front() == '[') {
    size_t close = address.find(']');
    if (close == std::string_view::npos || address.substr(close + 1, 1) != ":") return false;
    h = address.substr(1, close - 1);
    p = address.substr(close + 2);
  } else {
    size_t colon = address.rfind(':');
    if (colon == std::string_view::npos) return false;
    h = address.substr(0, colon);
    p = address.substr(colon + 1);
    if (h.find(':') != std::string_view::npos) return false;  // IPv6 needs brackets
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (h.empty() || p.empty() || ec != std::errc() || end != p.data() + p.size() || value < 1 ||
      value > 65535) {
    return false;
  }
  *host = std::string(h);
  *port = std::string(p);
  return true;
}

SyslogOutput::SyslogOutput(OutputEnv env, SyslogOutputOptions options)
    : QueuedOutput(std::move(env)), opts_(std::move(options)) {}

SyslogOutput::~SyslogOutput() {
  StopWorker();
  Close();
}

void SyslogOutput::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void SyslogOutput::OnStop() { Close(); }

QueuedOutput::Delivery SyslogOutput::Connect() {
  Close();
  if (opts_.transport == SyslogTransport::kUnix) {
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (opts_.address.size() >= sizeof sa.sun_path) return Delivery::Reject("socket path too long");
    std::memcpy(sa.sun_path, opts_.address.data(), opts_.address.size());
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return Delivery::Retry(Errno("socket", errno));
    SetTimeouts(fd_, opts_.timeout);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      int err = errno;
      Close();
      return Delivery::Retry(Errno("connect " + opts_.address, err));
    }
    return Delivery::Ok();
  }
  const bool tcp = opts_.transport == SyslogTransport::kTcp;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(opts_.host.c_str(), opts_.port.c_str(), &hints, &res); rc != 0) {
    return Delivery::Retry("resolve " + opts_.address + ": " + gai_strerror(rc));
  }
  std::string last_error = "no address for " + opts_.address;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    fd_ = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd_ < 0) {
      last_error = Errno("socket", errno);
      continue;
    }
    SetTimeouts(fd_, opts_.timeout);
    if (connect(fd_, ai->ai_addr, ai->ai_addrlen) == 0) break;
    last_error = Errno("connect " + opts_.address, errno);
    Close();
  }
  freeaddrinfo(res);
  return fd_ >= 0 ? Delivery::Ok() : Delivery::Retry(last_error);
}

bool SyslogOutput::PeerClosed() const {
  pollfd p{fd_, POLLIN | POLLRDHUP, 0};
  if (poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) return true;
  char c;
  ssize_t n = recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0;  // EOF; data from a syslog receiver is unexpected and left alone
}

QueuedOutput::Delivery SyslogOutput::Deliver(const AlertMessage& m) {
  const bool tcp = opts_.transport == SyslogTransport::kTcp;
  if (fd_ >= 0 && tcp && PeerClosed()) Close();
  if (fd_ < 0) {
    if (Delivery d = Connect(); d.outcome != Delivery::kDelivered) return d;
  }
  std::string message = FormatRfc5424(m, opts_.header);
  if (tcp) message = OctetCountingFrame(message);
  std::string_view data = message;
  while (!data.empty()) {
    ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      Close();
      if (err == EMSGSIZE) return Delivery::Reject(Errno("send", err));
      return Delivery::Retry(Errno("send to " + opts_.address, err));
    }
    if (!tcp) break;  // a datagram is sent whole or not at all
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Delivery::Ok();
}

namespace {

class SyslogOutputFactory : public OutputFactory {
 public:
  std::string_view name() const override { return "syslog"; }
  std::string_view description() const override {
    return "RFC 5424 messages over /dev/log, UDP or TCP (octet counting)";
  }
  Result<std::unique_ptr<Output>> Create(ConfigSection& s, const OutputEnv& env) const override {
    SyslogOutputOptions o;
    const std::string transport = s.Enum("transport", "unix", {"unix", "udp", "tcp"});
    o.transport = transport == "udp"   ? SyslogTransport::kUdp
                  : transport == "tcp" ? SyslogTransport::kTcp
                                       : SyslogTransport::kUnix;
    if (o.transport == SyslogTransport::kUnix) {
      o.address = s.String("address", "/dev/log");
      if (o.address.empty() || o.address.front() != '/' || o.address.size() >= 108) {
        s.BadValue("address", "must be the absolute path of a unix socket, such as /dev/log");
      }
    } else {
      o.address = s.RequiredString("address");
      if (s.Has("address") && !SplitHostPort(o.address, &o.host, &o.port)) {
        s.BadValue("address", "'" + o.address + "' is not HOST:PORT (PORT 1-65535; an IPv6 " +
                                  "address in brackets)");
      }
    }
    const std::string facility = s.String("facility", "auth");
    if (auto code = SyslogFacilityCode(facility)) {
      o.header.facility = *code;
    } else {
      s.BadValue("facility", "'" + facility + "' is not a syslog facility (auth, authpriv, " +
                                 "daemon, user, local0..local7, ...)");
    }
    o.header.app_name = s.String("app_name", "vigil");
    if (o.header.app_name.empty() || o.header.app_name.size() > 48 ||
        o.header.app_name.find_first_of(" \t\r\n") != std::string::npos) {
      s.BadValue("app_name", "must be 1-48 printable characters without spaces");
    }
    o.header.procid = std::to_string(getpid());
    auto timeout = s.DurationValue("timeout", std::chrono::seconds(5));
    if (timeout < std::chrono::milliseconds(1) || timeout > std::chrono::minutes(5)) {
      s.BadValue("timeout", "must be at least 1ms and at most 5m");
    } else {
      o.timeout = std::chrono::ceil<std::chrono::milliseconds>(timeout);
    }
    s.Finish();
    return std::unique_ptr<Output>(std::make_unique<SyslogOutput>(env, std::move(o)));
  }
};

}  // namespace

VIGIL_REGISTER_OUTPUT(SyslogOutputFactory);

}  // namespace vigil
