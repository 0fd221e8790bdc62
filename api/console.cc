#include "api/console.h"

#include <string>

namespace kinesim::api {
namespace {

// The page loads only its own files and talks only to its own server: no inline script or
// style, no other origin, no framing.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

constexpr std::string_view kPrefix = "/ui";

std::string_view content_type_of(std::string_view name) {
  auto ends_with = [&](std::string_view ext) { return name.ends_with(ext); };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

HttpResponse console_response(int status, std::string_view type, std::string body) {
  HttpResponse r{status, std::string(type), std::move(body)};
  r.amz_id_2 = false;
  // The files change with the binary, so a browser must ask again rather than keep an old page.
  r.headers.push_back({"Cache-Control", "no-cache"});
  r.headers.push_back({"Content-Security-Policy", std::string(kContentSecurityPolicy)});
  r.headers.push_back({"X-Content-Type-Options", "nosniff"});
  r.headers.push_back({"Referrer-Policy", "no-referrer"});
  return r;
}

}  // namespace

std::optional<HttpResponse> console_page(std::string_view path) {
  if (!path.starts_with(kPrefix)) return std::nullopt;
  std::string_view name = path.substr(kPrefix.size());
  if (!name.empty() && name.front() != '/') return std::nullopt;  // "/uix" is not the console's
  if (name.size() <= 1) name = "/index.html";
  name.remove_prefix(1);
  for (const EmbeddedFile& file : console_files()) {
    if (file.name == name) {
      return console_response(200, content_type_of(name), std::string(file.bytes));
    }
  }
  return console_response(404, "text/plain; charset=utf-8", "Not Found\n");
}

}  // namespace kinesim::api
