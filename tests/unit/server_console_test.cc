// The web console under /ui (api/console.h): its page and files come out of the binary
// byte for byte with their types and security headers, any other /ui path is a 404, and every
// other request is answered as before the console existed.
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "server_test_fixture.h"

namespace kinesim::testing {
namespace {

constexpr const char* kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const std::string kMissingTokenXml =
    "<MissingAuthenticationTokenException>\n"
    "  <Message>Missing Authentication Token</Message>\n"
    "</MissingAuthenticationTokenException>\n";

// The file as it is in the source tree.
std::string source_file(const std::string& name) {
  std::ifstream in(std::string(KINESIM_SOURCE_DIR) + "/api/console/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class ConsoleTest : public ServerTest {
 protected:
  Raw request(const std::string& method, const std::string& path) {
    return copy(client_->send(method, path, {}, ""));
  }

  // `page` must carry the console's headers: no caching without asking, only its own origin.
  static void expect_console_headers(const Raw& page) {
    EXPECT_EQ(page.header("cache-control"), "no-cache");
    EXPECT_EQ(page.header("content-security-policy"), kPolicy);
    EXPECT_EQ(page.header("x-content-type-options"), "nosniff");
    EXPECT_EQ(page.header("referrer-policy"), "no-referrer");
    EXPECT_FALSE(page.has("x-amz-id-2"));
  }
};

TEST_F(ConsoleTest, ThePageIsServedAtUi) {
  const std::string html = source_file("index.html");
  ASSERT_TRUE(html.starts_with("<!doctype html>"));
  for (const char* path : {"/ui", "/ui/", "/ui/index.html", "/ui?region=eu-west-1", "/ui/?x"}) {
    SCOPED_TRACE(path);
    const Raw page = request("GET", path);
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(page.header("content-length"), std::to_string(html.size()));
    EXPECT_EQ(page.body, html);
    expect_console_headers(page);
  }
}

TEST_F(ConsoleTest, ThePageLoadsOnlyItsOwnFilesAndNoInlineCode) {
  const std::string html = request("GET", "/ui").body;
  EXPECT_NE(html.find(R"(<script src="/ui/app.js" defer></script>)"), std::string::npos);
  EXPECT_NE(html.find(R"(<link rel="stylesheet" href="/ui/style.css">)"), std::string::npos);
  // The policy forbids inline code, so the page must not depend on any.
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<style"), std::string::npos);
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(\son[a-z]+\s*=)")));  // no onclick=...
  EXPECT_EQ(html.find("http"), std::string::npos);                         // no other origin
}

TEST_F(ConsoleTest, FilesAreServedWithTheirTypes) {
  for (const auto& [name, type] : std::vector<std::pair<std::string, std::string>>{
           {"app.js", "text/javascript; charset=utf-8"},
           {"style.css", "text/css; charset=utf-8"},
           {"favicon.svg", "image/svg+xml"}}) {
    SCOPED_TRACE(name);
    const Raw page = request("GET", "/ui/" + name);
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.header("content-type"), type);
    EXPECT_EQ(page.body, source_file(name));
    EXPECT_FALSE(page.body.empty());
    expect_console_headers(page);
  }
}

TEST_F(ConsoleTest, UnknownFilesAreNotFound) {
  for (const char* path : {"/ui/nothing.js", "/ui/app.js/", "/ui//app.js", "/ui/../ui/app.js",
                           "/ui/APP.JS", "/ui/console/app.js", "/ui/index.htm", "/ui/%61pp.js"}) {
    SCOPED_TRACE(path);
    const Raw page = request("GET", path);
    EXPECT_EQ(page.status, 404);
    EXPECT_EQ(page.header("content-type"), "text/plain; charset=utf-8");
    EXPECT_EQ(page.body, "Not Found\n");
    expect_console_headers(page);
  }
}

// Only GET reaches the console; a path that merely starts like it is no console path. Such
// requests get what the same method on / gets, and GET / stays Kinesis' refusal.
TEST_F(ConsoleTest, EverythingElseIsAnsweredAsOnRoot) {
  const Raw root = request("GET", "/");
  EXPECT_EQ(root.status, 403);
  EXPECT_FALSE(root.has("content-type"));
  EXPECT_EQ(root.body, kMissingTokenXml);
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"POST", "/ui"},
                                                        {"POST", "/ui/app.js"},
                                                        {"PUT", "/ui/app.js"},
                                                        {"DELETE", "/ui/"},
                                                        {"OPTIONS", "/ui"},
                                                        {"GET", "/uix"},
                                                        {"GET", "/ui.js"},
                                                        {"GET", "/app.js"},
                                                        {"GET", "/UI"}}) {
    SCOPED_TRACE(method + " " + path);
    const Raw expected = request(method, "/");
    const Raw page = request(method, path);
    EXPECT_EQ(page.status, expected.status);
    EXPECT_EQ(page.header("content-type"), expected.header("content-type"));
    EXPECT_EQ(page.body, expected.body);
    EXPECT_FALSE(page.has("content-security-policy"));
    EXPECT_GE(page.status, 400);
  }
}

// Serving the page leaves the Kinesis API as it was on the same connection.
TEST_F(ConsoleTest, KinesisCallsStillWork) {
  EXPECT_EQ(request("GET", "/ui").status, 200);
  create("console-stream", 2);
  const Answer a = ok("ListStreams", "{}");
  ASSERT_TRUE(a.json.IsObject());
  EXPECT_EQ(a.json["StreamNames"].Size(), 1u);
  EXPECT_EQ(request("GET", "/ui/app.js").status, 200);
}

}  // namespace
}  // namespace kinesim::testing
