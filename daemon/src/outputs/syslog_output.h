// SyslogOutput (`type: syslog`): each alert as an RFC 5424 message (rfc5424.h) over a unix
// datagram socket (/dev/log), UDP, or TCP with RFC 6587 octet-counting framing.
//
// The socket is opened at the first delivery and kept. A failed send closes it; the next
// attempt (under the retry policy) connects again. Before each TCP send the output checks
// whether the peer has closed the connection, so that a restarted receiver costs a
// reconnect rather than a lost message. A message too large for a datagram (EMSGSIZE) is
// dropped as rejected. Connects and sends time out after `timeout`.
// Threading: as QueuedOutput; the socket belongs to the worker thread.
#pragma once

#include <chrono>
#include <string>

#include "queued_output.h"
#include "rfc5424.h"

namespace vigil {

enum class SyslogTransport { kUnix, kUdp, kTcp };

struct SyslogOutputOptions {
  SyslogTransport transport = SyslogTransport::kUnix;
  std::string address = "/dev/log";  // a socket path (unix) or HOST:PORT
  std::string host;                  // udp/tcp: parsed from address
  std::string port;
  SyslogHeader header;
  std::chrono::milliseconds timeout{5000};
};

// "host:port" or "[v6]:port" with a port 1..65535; false when malformed.
bool SplitHostPort(std::string_view address, std::string* host, std::string* port);

class SyslogOutput : public QueuedOutput {
 public:
  SyslogOutput(OutputEnv env, SyslogOutputOptions options);
  ~SyslogOutput() override;

 protected:
  Delivery Deliver(const AlertMessage& m) override;
  void OnStop() override;

 private:
  Delivery Connect();
  bool PeerClosed() const;
  void Close();

  SyslogOutputOptions opts_;
  int fd_ = -1;  // worker thread only
};

}  // namespace vigil
