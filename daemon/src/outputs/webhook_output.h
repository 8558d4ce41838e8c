// WebhookOutput (`type: webhook`): each alert's JSON as the body of an HTTP POST (or PUT),
// with libcurl.
//
// Outcome of one request: a 2xx answer is delivered; a 5xx, 429 or 408 answer, a connection
// error or a timeout (`timeout`, for the whole request) is retried under the retry policy;
// any other answer (other 4xx, 3xx: redirects are not followed) is dropped as rejected.
// Only http and https URLs are accepted. The curl handle is made at Start() and used by the
// worker only, so connections are reused. Header values (tokens) are never logged.
// Threading: as QueuedOutput.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "queued_output.h"

namespace vigil {

struct WebhookOutputOptions {
  std::string url;
  std::string method = "POST";
  std::chrono::milliseconds timeout{10000};
  std::vector<std::pair<std::string, std::string>> headers;
};

class WebhookOutput : public QueuedOutput {
 public:
  WebhookOutput(OutputEnv env, WebhookOutputOptions options);
  ~WebhookOutput() override;

  Status Start() override;

 protected:
  Delivery Deliver(const AlertMessage& m) override;

 private:
  WebhookOutputOptions opts_;
  void* curl_ = nullptr;         // CURL*, worker thread only after Start()
  void* header_list_ = nullptr;  // curl_slist*
  char error_[256] = {};         // CURLOPT_ERRORBUFFER
};

}  // namespace vigil
