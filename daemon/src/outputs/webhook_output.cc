// The webhook output and its factory; see webhook_output.h.
#include "webhook_output.h"

#include <curl/curl.h>
#include <strings.h>

#include <algorithm>
#include <mutex>

namespace vigil {
namespace {

size_t DiscardBody(char*, size_t size, size_t n, void*) { return size * n; }

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
  });
}

// The URL's scheme when libcurl parses it as an absolute http(s) URL with a host, else "".
std::string UrlScheme(const std::string& url) {
  CURLU* u = curl_url();
  if (u == nullptr) return "";
  std::string scheme;
  char* part = nullptr;
  char* host = nullptr;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_SCHEME, &part, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
    scheme = part;
  }
  curl_free(part);
  curl_free(host);
  curl_url_cleanup(u);
  return scheme;
}

}  // namespace

WebhookOutput::WebhookOutput(OutputEnv env, WebhookOutputOptions options)
    : QueuedOutput(std::move(env)), opts_(std::move(options)) {}

WebhookOutput::~WebhookOutput() {
  StopWorker();
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
  if (header_list_ != nullptr) curl_slist_free_all(static_cast<curl_slist*>(header_list_));
}

Status WebhookOutput::Start() {
  static std::once_flag once;
  static CURLcode init = CURLE_OK;
  std::call_once(once, [] { init = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init != CURLE_OK) return Status::Internal("curl_global_init failed");
  CURL* c = curl_easy_init();
  if (c == nullptr) return Status::Internal("curl_easy_init failed");
  curl_ = c;
  curl_slist* list = nullptr;
  bool has_content_type = false;
  for (const auto& [k, v] : opts_.headers) {
    has_content_type |= strcasecmp(k.c_str(), "content-type") == 0;
    list = curl_slist_append(list, (k + ": " + v).c_str());
  }
  if (!has_content_type) list = curl_slist_append(list, "Content-Type: application/json");
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  header_list_ = list;

  curl_easy_setopt(c, CURLOPT_URL, opts_.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // required with threads
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(opts_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opts_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "vigil");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &DiscardBody);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85.0
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
  if (opts_.method != "POST") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, opts_.method.c_str());
  return QueuedOutput::Start();
}

QueuedOutput::Delivery WebhookOutput::Deliver(const AlertMessage& m) {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, m.json.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(m.json.size()));
  error_[0] = '\0';
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    return Delivery::Retry(std::string("POST: ") +
                           (error_[0] != '\0' ? error_ : curl_easy_strerror(rc)));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) return Delivery::Ok();
  std::string why = "HTTP status " + std::to_string(status);
  if (status >= 500 || status == 429 || status == 408) return Delivery::Retry(why);
  return Delivery::Reject(why);
}

namespace {

class WebhookOutputFactory : public OutputFactory {
 public:
  std::string_view name() const override { return "webhook"; }
  std::string_view description() const override {
    return "each alert's JSON POSTed to an HTTP(S) URL, with timeouts and back-off";
  }
  Result<std::unique_ptr<Output>> Create(ConfigSection& s, const OutputEnv& env) const override {
    WebhookOutputOptions o;
    o.url = s.RequiredString("url");
    if (s.Has("url")) {
      std::string scheme = UrlScheme(o.url);
      if (scheme != "http" && scheme != "https") {
        s.BadValue("url", "'" + o.url + "' is not an http:// or https:// URL");
      }
    }
    o.method = s.Enum("method", "POST", {"POST", "PUT"});
    auto timeout = s.DurationValue("timeout", std::chrono::seconds(10));
    if (timeout < std::chrono::milliseconds(1) || timeout > std::chrono::minutes(5)) {
      s.BadValue("timeout", "must be at least 1ms and at most 5m");
    } else {
      o.timeout = std::chrono::ceil<std::chrono::milliseconds>(timeout);
    }
    if (s.Has("headers")) {
      ConfigSection h = s.Section("headers");
      if (h.node().IsMap()) {
        for (const auto& kv : h.node()) {
          if (!kv.first.IsScalar()) continue;  // Finish() reports it
          const std::string key = kv.first.Scalar();
          std::string value = h.String(key);
          if (!IsToken(key)) {
            h.diagnostics().Error(h.Where(key), "E103",
                                  "'" + key + "' is not a valid HTTP header name");
          } else if (value.find_first_of("\r\n") != std::string::npos ||
                     value.find('\0') != std::string::npos) {
            h.BadValue(key, "header values must not contain line breaks");
          } else {
            o.headers.emplace_back(key, std::move(value));
          }
        }
      }
      h.Finish();
    }
    s.Finish();
    return std::unique_ptr<Output>(std::make_unique<WebhookOutput>(env, std::move(o)));
  }
};

}  // namespace

VIGIL_REGISTER_OUTPUT(WebhookOutputFactory);

}  // namespace vigil
