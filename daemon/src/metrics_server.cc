#include "metrics_server.h"

#include <CivetServer.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <limits>
#include <map>
#include <sstream>

namespace vigil {
namespace {

// Collects samples into prometheus-cpp families, keeping the order families first appear.
class FamilyWriter : public MetricWriter {
 public:
  void Write(std::string_view name, std::string_view help, MetricKind kind,
             const MetricLabels& labels, double value) override {
    auto [it, added] = index_.try_emplace(std::string(name), families_.size());
    if (added) {
      prometheus::MetricFamily f;
      f.name = std::string(name);
      f.help = std::string(help);
      f.type = kind == MetricKind::kCounter ? prometheus::MetricType::Counter
                                            : prometheus::MetricType::Gauge;
      families_.push_back(std::move(f));
    }
    prometheus::MetricFamily& f = families_[it->second];
    prometheus::ClientMetric m;
    for (const auto& [k, v] : labels) m.label.push_back({k, v});
    if (f.type == prometheus::MetricType::Counter) {
      m.counter.value = value;
    } else {
      m.gauge.value = value;
    }
    f.metric.push_back(std::move(m));
  }

  void Histogram(std::string_view name, std::string_view help, const MetricLabels& labels,
                 const HistogramSample& sample) override {
    auto [it, added] = index_.try_emplace(std::string(name), families_.size());
    if (added) {
      prometheus::MetricFamily f;
      f.name = std::string(name);
      f.help = std::string(help);
      f.type = prometheus::MetricType::Histogram;
      families_.push_back(std::move(f));
    }
    prometheus::ClientMetric m;
    for (const auto& [k, v] : labels) m.label.push_back({k, v});
    m.histogram.sample_count = sample.count;
    m.histogram.sample_sum = sample.sum;
    for (size_t i = 0; i < sample.bounds.size() && i < sample.buckets.size(); ++i) {
      m.histogram.bucket.push_back({sample.buckets[i], sample.bounds[i]});
    }
    m.histogram.bucket.push_back({sample.count, std::numeric_limits<double>::infinity()});
    families_[it->second].metric.push_back(std::move(m));
  }

  const std::vector<prometheus::MetricFamily>& families() const { return families_; }

 private:
  std::vector<prometheus::MetricFamily> families_;
  std::map<std::string, size_t> index_;
};

void Reply(mg_connection* conn, int status, const char* type, const std::string& body,
           const char* extra_headers = "") {
  const char* reason = status == 200 ? "OK" : status == 401 ? "Unauthorized" : "Error";
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n%s\r\n",
            status, reason, type, body.size(), extra_headers);
  mg_write(conn, body.data(), body.size());
}

}  // namespace

class MetricsServer::Handler : public CivetHandler {
 public:
  enum class Page { kMetrics, kHealth, kIndex };
  Handler(MetricsServer& owner, Page page) : owner_(owner), page_(page) {}

  bool handleGet(CivetServer*, mg_connection* conn) override {
    if (!owner_.Authorize(conn)) return true;
    switch (page_) {
      case Page::kMetrics:
        Reply(conn, 200, "text/plain; version=0.0.4; charset=utf-8", owner_.Render());
        break;
      case Page::kHealth:
        Reply(conn, 200, "text/plain; charset=utf-8", "ok\n");
        break;
      case Page::kIndex:
        Reply(conn, 200, "text/html; charset=utf-8",
              "<!doctype html><html><head><title>Vigil</title></head><body>"
              "<h1>Vigil</h1><p>Security and compliance monitoring daemon.</p><ul>"
              "<li><a href=\"/metrics\">/metrics</a> (Prometheus)</li>"
              "<li><a href=\"/healthz\">/healthz</a></li></ul></body></html>\n");
        break;
    }
    return true;
  }

 private:
  MetricsServer& owner_;
  Page page_;
};

MetricsServer::MetricsServer(Scrape scrape) : scrape_(std::move(scrape)) {}

MetricsServer::~MetricsServer() { Stop(); }

Status MetricsServer::Start(const std::string& listen) {
  std::vector<std::string> options = {"listening_ports", listen, "num_threads", "2",
                                      "request_timeout_ms", "10000"};
  try {
    server_ = std::make_unique<CivetServer>(options);
  } catch (const std::exception& e) {
    return Status::IoError("cannot listen on " + listen + " for metrics: " + e.what() +
                           " (is another process using the port?)");
  }
  metrics_handler_ = std::make_unique<Handler>(*this, Handler::Page::kMetrics);
  health_handler_ = std::make_unique<Handler>(*this, Handler::Page::kHealth);
  index_handler_ = std::make_unique<Handler>(*this, Handler::Page::kIndex);
  server_->addHandler("/metrics", *metrics_handler_);
  server_->addHandler("/healthz", *health_handler_);
  server_->addHandler("/$", *index_handler_);
  std::vector<int> ports = server_->getListeningPorts();
  port_ = ports.empty() ? 0 : ports.front();
  return Status::Ok();
}

void MetricsServer::Stop() {
  if (server_) server_->close();
  server_.reset();
}

void MetricsServer::SetUsers(const std::map<std::string, std::string>& users) {
  auto auth = users.empty() ? nullptr : std::make_shared<BasicAuth>(WebConfig{users});
  std::lock_guard lock(auth_mu_);
  auth_ = std::move(auth);
}

bool MetricsServer::Authorize(mg_connection* conn) {
  std::shared_ptr<BasicAuth> auth;
  {
    std::lock_guard lock(auth_mu_);
    auth = auth_;
  }
  if (!auth) return true;
  const char* header = mg_get_header(conn, "Authorization");
  if (header != nullptr && auth->Check(header)) return true;
  auth_failures_.fetch_add(1, std::memory_order_relaxed);
  Reply(conn, 401, "text/plain; charset=utf-8", "authentication required\n",
        "WWW-Authenticate: Basic realm=\"vigil\", charset=\"UTF-8\"\r\n");
  return false;
}

std::string MetricsServer::Render() const {
  FamilyWriter writer;
  if (scrape_) scrape_(writer);
  writer.Counter("vigil_metrics_auth_failures_total",
                 "Requests to the metrics endpoint refused for missing or wrong credentials.", {},
                 static_cast<double>(auth_failures_.load(std::memory_order_relaxed)));
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, writer.families());
  return out.str();
}

}  // namespace vigil
