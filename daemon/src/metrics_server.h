// MetricsServer: the HTTP endpoint Prometheus scrapes.
//
//   /metrics  the Prometheus text format (0.0.4), built at each scrape by the Scrape callback
//   /healthz  "ok" (200) while the daemon runs, for load balancers and systemd checks
//   /         a small landing page linking both
//
// Built on civetweb (as prometheus-cpp's own Exposer is) with prometheus-cpp's model and
// text serializer. Start() fails with a clear Status when the address cannot be bound (port
// in use, bad address) instead of throwing. TLS belongs to a reverse proxy in front.
//
// With users (metrics.web_config_file, web_auth.h), every path asks for HTTP basic
// authentication (401 and `WWW-Authenticate: Basic realm="vigil"` without it); refused
// requests are counted in vigil_metrics_auth_failures_total.
//
// Threading: the Scrape callback runs on a civetweb worker thread (one request at a time);
// SetUsers may be called from any thread (a reload).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "vigil/metric_writer.h"
#include "vigil/status.h"
#include "web_auth.h"

class CivetServer;
struct mg_connection;

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

  // Replaces the users allowed in (empty: no authentication).
  void SetUsers(const std::map<std::string, std::string>& users);

  // The text exposition of one scrape (also what /metrics serves).
  std::string Render() const;

 private:
  class Handler;
  // Whether the request may be served; answers 401 itself when not.
  bool Authorize(mg_connection* conn);

  Scrape scrape_;
  mutable std::mutex auth_mu_;
  std::shared_ptr<BasicAuth> auth_;  // guarded by auth_mu_; each request keeps its own reference
  std::atomic<uint64_t> auth_failures_{0};
  std::unique_ptr<CivetServer> server_;
  std::unique_ptr<Handler> metrics_handler_, health_handler_, index_handler_;
  int port_ = 0;
};

}  // namespace vigil
