#pragma once
// `legalcircle serve`'s HTTP side (cpp-httplib): the bundled page and its scripts, and the JSON
// API over a Workspace. Loopback by default; requests whose Host is not an IP literal or
// localhost (DNS rebinding) and state-changing requests from another Origin are refused; bodies
// are size-limited and must be JSON; nothing is read from disk after start (no paths, no
// listing). See docs/serve.md for the endpoints.
#include <functional>
#include <memory>
#include <string>

#include "legalcircle/serve/workspace.hpp"

namespace legalcircle {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8765;              // 0: any free port
  std::string tiles_url;        // optional basemap, e.g. http://intranet/tiles/{z}/{x}/{y}.png
  std::size_t max_body_bytes = 256 * 1024;
  unsigned http_threads = 8;
};

class WorkspaceServer {
 public:
  WorkspaceServer(Workspace& workspace, ServeOptions options);
  ~WorkspaceServer();
  // Binds; returns the port. OutputError when the address cannot be bound (in use, not local).
  int bind();
  // Serves until stop() (from any thread).
  void run();
  void stop();
  // Called with every request's method, path, status and milliseconds (the command's log).
  void on_request(std::function<void(const std::string&, const std::string&, int, double)> log);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Whether a Host header names this server safely: an IP literal or localhost, with `port`.
bool host_header_allowed(const std::string& host_header, int port);

// The bundled files of the page: path (e.g. "/assets/leaflet.js") -> bytes and type.
struct Asset {
  const char* path;
  const char* content_type;
  const unsigned char* data;
  std::size_t size;
};
const Asset* find_asset(const std::string& path);

}  // namespace legalcircle
