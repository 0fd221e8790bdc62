// The web console: a page kinesim serves itself under /ui, with its HTML, CSS and JavaScript
// built into the binary (api/console/, embedded by cmake/embed_files.cmake). The page talks to
// the Kinesis API of the same server with fetch, so nothing here knows any operation.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "api/http.h"

namespace kinesim::api {

// The answer to GET `path` (query already removed) when it is the console's: /ui, /ui/ and
// /ui/index.html give the page, /ui/<file> one of its files, any other /ui/... a 404.
// nullopt for paths outside /ui, which stay the Kinesis API's.
std::optional<HttpResponse> console_page(std::string_view path);

// One embedded file: its name under api/console/ and its bytes.
struct EmbeddedFile {
  std::string_view name;
  std::string_view bytes;
};

// Every file of api/console/, generated at build time (console_files.cc in the build tree).
std::span<const EmbeddedFile> console_files();

}  // namespace kinesim::api
