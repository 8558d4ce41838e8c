// MetricsServer: the HTTP endpoint Prometheus scrapes.
//
//   /metrics  the Prometheus text format (0.0.4), built at each scrape by the Scrape callback
//   /healthz  "ok" (200) while the daemon runs, for load balancers and systemd checks
//   /         a small landing page linking both
//
// Built on civetweb (as prometheus-cpp's own Exposer is) with prometheus-cpp's model and
// text serializer. Start() fails with a clear Status when the address cannot be bound (port
// in use, bad address) instead of throwing. TLS belongs to a reverse proxy in front.
// Threading: the Scrape callback runs on a civetweb worker thread (one request at a time).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "vigil/metric_writer.h"
#include "vigil/status.h"

class CivetServer;

namespace vigil {

class MetricsServer {
 public:
  using Scrape = std::function<void(MetricWriter&)>;

  explicit MetricsServer(Scrape scrape);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Listens on "HOST:PORT" ("[v6]:PORT" for IPv6). Port 0 picks a free port (tests).
  Status Start(const std::string& listen);
  void Stop();
  // The bound port, after Start.
  int port() const { return port_; }

  // The text exposition of one scrape (also what /metrics serves).
  std::string Render() const;

 private:
  class Handler;
  Scrape scrape_;
  std::unique_ptr<CivetServer> server_;
  std::unique_ptr<Handler> metrics_handler_, health_handler_, index_handler_;
  int port_ = 0;
};

}  // namespace vigil
