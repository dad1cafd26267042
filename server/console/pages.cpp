// The console's pages: /console/ and its files, from the assets compiled in.
#include "console/assets.hpp"
#include "console/console_api.hpp"

namespace sevu {

namespace {

constexpr std::string_view kPagePrefix = "/console/";

// No inline script or style, nothing from elsewhere, never in a frame.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'";

std::string content_type_of(std::string_view name) {
  const std::size_t dot = name.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "json") return "application/json";
  return "application/octet-stream";
}

const console::Asset* find_asset(std::string_view name) {
  for (const console::Asset& a : console::embedded_assets())
    if (a.name == name) return &a;
  return nullptr;
}

void secure(HttpResponse& r) {
  r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
}

}  // namespace

bool ConsoleApi::is_page(std::string_view path) {
  return path == "/console" ||
         (path.substr(0, kPagePrefix.size()) == kPagePrefix && !is_api(path));
}

HttpResponse ConsoleApi::page(const HttpRequest& req) const {
  HttpResponse r;
  const std::string_view path = req.path();
  if (!is_read_method(req.method)) {
    r = method_not_allowed("GET, HEAD", "method not allowed here; allowed: GET, HEAD");
  } else if (auto refused = too_deep_refusal(req)) {  // as on every route
    r = std::move(*refused);
  } else if (path == "/console") {
    r.status = 308;
    r.content_type.clear();
    r.headers.emplace_back("Location", "/console/");
  } else {
    std::string_view name = path.substr(kPagePrefix.size());
    if (name.empty()) name = "index.html";
    const console::Asset* asset = find_asset(name);
    if (asset == nullptr) {
      r = json_error(404, "NOT_FOUND", "no such page");
    } else {
      r.content_type = content_type_of(asset->name);
      r.body = std::string(asset->bytes);
      // Pages change with the binary; a reload after an upgrade must not keep old ones.
      r.headers.emplace_back("Cache-Control", "no-cache");
    }
  }
  secure(r);
  return r;
}

}  // namespace sevu
