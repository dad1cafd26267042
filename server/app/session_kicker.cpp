#include "app/session_kicker.hpp"

#include <algorithm>
#include <atomic>
#include <tuple>
#include <utility>

#include "app/cli_args.hpp"
#include "auth/crypto.hpp"
#include "core/json_util.hpp"
#include "core/log.hpp"
#include "core/query_string.hpp"

namespace sevu {

namespace {

// One request of a kick. A lookup (then_kick set) reads the "session" of the
// answer and kicks then_kick + that session.
struct Step {
  const char* method;
  std::string path;  // after the API's base
  std::string then_kick;
};

// Ids go into a URL path as they are: only those that need no escaping (SRS
// client ids are letters and digits, MediaMTX ids UUIDs).
bool plain_id(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// SRS: DELETE /api/v1/clients/{client_id} drops the client (SrsGoApiClients::serve_http,
// https://github.com/ossrs/srs/blob/develop/trunk/src/app/srs_app_http_api.cpp;
// https://ossrs.io/lts/en-us/docs/v6/doc/http-api#kickoff-client). The
// session's client_ref is the on_play hook's client_id, the same id.
std::vector<Step> srs_steps(const std::string& client_id) {
  if (!plain_id(client_id)) return {};
  return {{"DELETE", "/api/v1/clients/" + client_id, ""}};
}

// MediaMTX: each kind of connection has its own kick route, POST
// /v3/<kind>/kick/{id} (https://github.com/bluenviron/mediamtx/blob/main/api/openapi.yaml).
// The session's client_ref is "<protocol>:<id>" from the auth request
// (hooks/mediamtx.cpp; fields per internal/auth/manager.go). The encrypted
// variants (RTSPS, RTMPS) ask with the same protocol name, so they are tried
// when the plain one does not know the id (404). An RTSP reader's first ask
// (DESCRIBE) carries its connection's id, the later one (SETUP) its session's
// (internal/servers/rtsp/conn.go, session.go): a connection id is looked up
// for its session, which is what can be kicked.
std::vector<Step> mediamtx_steps(const std::string& client_ref) {
  const auto colon = client_ref.find(':');
  if (colon == std::string::npos) return {};
  const std::string protocol = client_ref.substr(0, colon);
  const std::string id = client_ref.substr(colon + 1);
  if (!plain_id(id)) return {};
  auto kick = [&id](const std::string& kind) { return Step{"POST", "/v3/" + kind + "/kick/" + id, ""}; };
  if (protocol == "rtsp") {
    return {{"GET", "/v3/rtspconns/get/" + id, "/v3/rtspsessions/kick/"},
            kick("rtspsessions"),
            {"GET", "/v3/rtspsconns/get/" + id, "/v3/rtspssessions/kick/"},
            kick("rtspssessions")};
  }
  if (protocol == "rtmp") return {kick("rtmpconns"), kick("rtmpsconns")};
  if (protocol == "srt") return {kick("srtconns")};
  if (protocol == "webrtc") return {kick("webrtcsessions")};
  if (protocol == "hls") return {kick("hlssessions")};
  if (protocol == "moq") return {kick("moqsessions")};
  return {};
}

// SRS answers 200 with {"code": 0} on success and {"code": 2049}
// (ERROR_RTMP_CLIENT_NOT_FOUND) when it knows no such client.
std::optional<int64_t> srs_code(const std::string& body) {
  JsonDocument doc;
  if (!parse_json(body, doc, JsonUtf8::kPassedThrough).empty() || !doc.IsObject())
    return std::nullopt;
  return int_member(doc, "code");
}

constexpr int64_t kSrsClientNotFound = 2049;

}  // namespace

MediaServerApi parse_media_server_api(const std::string& option, const std::string& url) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0)
    throw UsageError(option + ": give an http:// URL (https is not supported)");
  std::string rest = url.substr(scheme.size());
  MediaServerApi api;
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  api.base = slash == std::string::npos ? "" : rest.substr(slash);
  while (!api.base.empty() && api.base.back() == '/') api.base.pop_back();
  if (api.base.find_first_of("?#") != std::string::npos)
    throw UsageError(option + ": the URL may not carry a query or fragment");
  const auto at = authority.rfind('@');
  if (at != std::string::npos) {
    auto login = percent_decode(authority.substr(0, at), false);
    if (!login || login->find(':') == std::string::npos)
      throw UsageError(option + ": credentials in the URL are user:password");
    api.authorization = "Basic " + base64_encode(*login);
    authority = authority.substr(at + 1);
  }
  if (authority.empty()) throw UsageError(option + ": the URL names no host");
  const bool has_port = authority.back() != ']' && authority.find(':') != std::string::npos &&
                        authority.find(':') == authority.rfind(':');
  const bool v6_with_port = authority.front() == '[' && authority.find("]:") != std::string::npos;
  if (has_port || v6_with_port) {
    try {
      std::tie(api.host, api.port) = split_host_port(authority);
    } catch (const UsageError& e) {
      throw UsageError(option + ": " + e.what());
    }
  } else {
    api.host = authority.front() == '[' ? authority.substr(1, authority.size() - 2) : authority;
  }
  api.shown = scheme + authority + api.base;
  return api;
}

struct SessionKicker::State : std::enable_shared_from_this<SessionKicker::State> {
  // One session's kick: its steps, tried in turn while the API answers 404.
  struct Kick {
    std::string server;
    const MediaServerApi* api = nullptr;
    std::vector<Step> steps;
    std::size_t next = 0;
  };

  KickerConfig config;
  HttpClient* client = nullptr;
  Counted counted;
  std::atomic<std::size_t> in_flight{0};

  void start(const ViewingSession& s) {
    const bool srs = s.media_server == "srs";
    const std::optional<MediaServerApi>& api = srs ? config.srs : config.mediamtx;
    if (!api || !client || (!srs && s.media_server != "mediamtx")) return;
    auto kick = std::make_shared<Kick>();
    kick->server = s.media_server;
    kick->api = &*api;
    kick->steps = srs ? srs_steps(s.client_ref) : mediamtx_steps(s.client_ref);
    if (kick->steps.empty()) return counted(kick->server, "unnamed");
    if (in_flight.fetch_add(1) >= config.max_in_flight) {
      in_flight.fetch_sub(1);
      log_line(LogLevel::kError, "session kick: " + kick->server + " at " + api->shown +
                                     ": dropped, " + std::to_string(config.max_in_flight) +
                                     " kicks already in flight");
      return counted(kick->server, "dropped");
    }
    send(kick);
  }

  void send(const std::shared_ptr<Kick>& kick) {
    const Step& step = kick->steps[kick->next];
    OutboundCall call;
    call.host = kick->api->host;
    call.port = kick->api->port;
    call.timeout = config.timeout;
    call.request.method = step.method;
    call.request.target = kick->api->base + step.path;
    if (!kick->api->authorization.empty())
      call.request.headers.emplace_back("Authorization", kick->api->authorization);
    client->send(std::move(call), [self = shared_from_this(), kick](OutboundResult r) {
      self->heard(kick, std::move(r));
    });
  }

  void heard(const std::shared_ptr<Kick>& kick, OutboundResult r) {
    if (!r.response) return finish(*kick, "failed", r.error);
    const HttpResponse& answer = *r.response;
    if (answer.status == 404) {
      if (++kick->next < kick->steps.size()) return send(kick);
      return finish(*kick, "gone", "");
    }
    if (answer.status < 200 || answer.status > 299)
      return finish(*kick, "failed", "answered HTTP " + std::to_string(answer.status));
    if (kick->server == "srs") return srs_answered(*kick, answer);
    const Step& step = kick->steps[kick->next];
    if (step.then_kick.empty()) return finish(*kick, "kicked", "");
    looked_up(kick, answer, step.then_kick);
  }

  void srs_answered(const Kick& kick, const HttpResponse& answer) {
    const auto code = srs_code(answer.body);
    if (code && *code == 0) return finish(kick, "kicked", "");
    if (code && *code == kSrsClientNotFound) return finish(kick, "gone", "");
    finish(kick, "failed", code ? "SRS code " + std::to_string(*code) : "an answer with no code");
  }

  // A connection looked up: its session is kicked; without one (it never
  // got to play) there is nothing to drop.
  void looked_up(const std::shared_ptr<Kick>& kick, const HttpResponse& answer,
                 const std::string& kick_path) {
    JsonDocument doc;
    std::optional<std::string> session;
    if (parse_json(answer.body, doc, JsonUtf8::kPassedThrough).empty() && doc.IsObject())
      session = string_member(doc, "session");
    if (!session) return finish(*kick, "gone", "");
    if (!plain_id(*session)) return finish(*kick, "failed", "a session id it cannot name");
    kick->steps = {{"POST", kick_path + *session, ""}};
    kick->next = 0;
    send(kick);
  }

  void finish(const Kick& kick, const char* result, const std::string& problem) {
    in_flight.fetch_sub(1);
    if (!problem.empty()) {
      const Step& step = kick.steps[std::min(kick.next, kick.steps.size() - 1)];
      log_line(LogLevel::kError, "session kick: " + kick.server + " " + step.method + " " +
                                     kick.api->shown + step.path + ": " + problem);
    }
    counted(kick.server, result);
  }
};

SessionKicker::SessionKicker(KickerConfig config, HttpClient* client, Counted counted)
    : state_(std::make_shared<State>()) {
  state_->config = std::move(config);
  state_->client = client;
  state_->counted = std::move(counted);
}

void SessionKicker::kick(const std::vector<ViewingSession>& ended) {
  for (const ViewingSession& s : ended) state_->start(s);
}

}  // namespace sevu
