#include "legalcircle/serve/http_server.hpp"

#include <arpa/inet.h>

#include <chrono>
#include <cstring>

#include <httplib.h>

#include "legalcircle/core/error.hpp"

namespace legalcircle {
namespace {

using json = nlohmann::ordered_json;

bool is_ip_literal(const std::string& h) {
  unsigned char buf[sizeof(in6_addr)];
  if (h.size() > 2 && h.front() == '[' && h.back() == ']')
    return inet_pton(AF_INET6, h.substr(1, h.size() - 2).c_str(), buf) == 1;
  return inet_pton(AF_INET, h.c_str(), buf) == 1;
}

void send_json(httplib::Response& res, const json& j, int status = 200) {
  res.status = status;
  res.set_content(j.dump(), "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, json{{"error", message}}, status);
}

}  // namespace

bool host_header_allowed(const std::string& host_header, int port) {
  const std::size_t colon = host_header.rfind(':');
  if (colon == std::string::npos || colon + 1 >= host_header.size()) return false;
  const std::string name = host_header.substr(0, colon);
  if (host_header.substr(colon + 1) != std::to_string(port)) return false;
  return name == "localhost" || is_ip_literal(name);
}

struct WorkspaceServer::Impl {
  Workspace& workspace;
  ServeOptions options;
  httplib::Server server;
  int port = 0;
  std::function<void(const std::string&, const std::string&, int, double)> log;

  Impl(Workspace& w, ServeOptions o) : workspace(w), options(std::move(o)) {}

  // Runs a handler: RequestError and input/config errors are the planner's (400), the rest 500.
  template <class F>
  void answer(httplib::Response& res, F f) {
    try {
      f();
    } catch (const RequestError& e) {
      send_error(res, 400, e.what());
    } catch (const InputError& e) {
      send_error(res, 400, e.what());
    } catch (const ConfigError& e) {
      send_error(res, 400, e.what());
    } catch (const std::exception& e) {
      send_error(res, 500, std::string("internal error: ") + e.what());
    }
  }

  json body(const httplib::Request& req) {
    const json j = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) throw RequestError("the request body is not JSON");
    return j;
  }

  void routes() {
    server.set_payload_max_length(options.max_body_bytes);
    server.set_tcp_nodelay(true);  // headers and body are separate writes: no 40 ms Nagle wait
    // SO_REUSEADDR alone: cpp-httplib's default SO_REUSEPORT let a second server bind a port in
    // use and share its connections; now the second one fails with "address in use".
    server.set_socket_options([](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<void*>(&yes), sizeof(yes));
    });
    server.new_task_queue = [n = options.http_threads] { return new httplib::ThreadPool(n); };
    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      res.set_header("X-Content-Type-Options", "nosniff");
      res.set_header("X-Frame-Options", "DENY");
      res.set_header("Cache-Control", "no-store");
      res.set_header("Referrer-Policy", "no-referrer");
      if (!host_header_allowed(req.get_header_value("Host"), port)) {
        send_error(res, 403, "Host '" + req.get_header_value("Host") + "' refused: open the page at http://127.0.0.1:" +
                                 std::to_string(port) + "/");
        return httplib::Server::HandlerResponse::Handled;
      }
      if (req.method != "GET" && req.method != "HEAD") {
        const std::string origin = req.get_header_value("Origin");
        if (!origin.empty() && origin != "http://" + req.get_header_value("Host")) {
          send_error(res, 403, "Origin '" + origin + "' refused: changes come from this server's own page only");
          return httplib::Server::HandlerResponse::Handled;
        }
        if (req.get_header_value("Sec-Fetch-Site") == "cross-site") {
          send_error(res, 403, "cross-site request refused");
          return httplib::Server::HandlerResponse::Handled;
        }
        if (req.method == "POST" && req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
          send_error(res, 415, "POST bodies must be JSON (Content-Type: application/json)");
          return httplib::Server::HandlerResponse::Handled;
        }
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      if (log) log(req.method, req.path, res.status, 0.0);
    });
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (res.body.empty()) {
        const char* what = res.status == 404 ? "not found" : res.status == 413 ? "request body too large" : "bad request";
        send_error(res, res.status, what);
      }
    });
    server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "internal error";
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what += std::string(": ") + e.what();
      } catch (...) {
      }
      send_error(res, 500, what);
    });

    auto asset = [](const std::string& path, httplib::Response& res) {
      const Asset* a = find_asset(path);
      if (!a) {
        send_error(res, 404, "not found");
        return;
      }
      res.set_header("Content-Security-Policy", "default-src 'self'; img-src 'self' data: *; style-src 'self' 'unsafe-inline'");
      const std::string type = a->content_type;
      res.set_content(reinterpret_cast<const char*>(a->data), a->size,
                      (type.rfind("text/", 0) == 0 ? type + "; charset=utf-8" : type).c_str());
    };
    server.Get("/", [asset](const httplib::Request&, httplib::Response& res) { asset("/index.html", res); });
    server.Get(R"(/assets/([A-Za-z0-9_.\-/]+))", [asset](const httplib::Request& req, httplib::Response& res) {
      asset("/assets/" + req.matches[1].str(), res);
    });
    server.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });

    server.Get("/api/scenario", [this](const httplib::Request&, httplib::Response& res) {
      answer(res, [&] {
        json j = workspace.scenario_info();
        j["tiles_url"] = options.tiles_url;
        send_json(res, j);
      });
    });
    server.Get("/api/villages", [this](const httplib::Request&, httplib::Response& res) {
      answer(res, [&] { send_json(res, workspace.villages()); });
    });
    server.Get("/api/state", [this](const httplib::Request&, httplib::Response& res) {
      answer(res, [&] { send_json(res, workspace.state()); });
    });
    server.Get("/api/roads", [this](const httplib::Request& req, httplib::Response& res) {
      answer(res, [&] {
        double w, s, e, n;
        char tail;
        const std::string bbox = req.get_param_value("bbox");
        if (std::sscanf(bbox.c_str(), "%lf,%lf,%lf,%lf%c", &w, &s, &e, &n, &tail) != 4 || !(w <= e) || !(s <= n))
          throw RequestError("roads: bbox must be west,south,east,north in degrees");
        const std::string z = req.get_param_value("zoom");
        int zoom = 0;
        if (std::sscanf(z.c_str(), "%d%c", &zoom, &tail) != 1 || zoom < 0 || zoom > 22)
          throw RequestError("roads: zoom must be a whole number 0..22");
        res.set_content(workspace.roads_geojson(w, s, e, n, zoom), "application/geo+json");
      });
    });
    server.Get("/api/circle", [this](const httplib::Request& req, httplib::Response& res) {
      answer(res, [&] {
        res.set_content(workspace.circle_geojson(req.get_param_value("rule"), req.get_param_value("mode")),
                        "application/geo+json");
      });
    });
    auto post = [this](const char* path, std::function<json(const json&)> f) {
      server.Post(path, [this, f](const httplib::Request& req, httplib::Response& res) {
        answer(res, [&] { send_json(res, f(req.body.empty() ? json::object() : body(req))); });
      });
    };
    post("/api/edit", [this](const json& j) { return workspace.edit(j); });
    post("/api/undo", [this](const json&) { return workspace.undo(); });
    post("/api/redo", [this](const json&) { return workspace.redo(); });
    post("/api/reset", [this](const json&) { return workspace.reset(); });
    post("/api/evaluate", [this](const json& j) { return workspace.evaluate(j); });
    post("/api/suggest", [this](const json& j) { return workspace.suggest(j); });

    auto download = [this](const char* path, const char* file, const char* type, std::function<std::string()> f) {
      server.Get(path, [this, file, type, f](const httplib::Request&, httplib::Response& res) {
        answer(res, [&] {
          res.set_header("Content-Disposition", std::string("attachment; filename=\"") + file + "\"");
          res.set_content(f(), type);
        });
      });
    };
    download("/api/export/proposals.csv", "proposals.csv", "text/csv; charset=utf-8", [this] { return workspace.proposals_csv(); });
    download("/api/export/proposals.geojson", "proposals.geojson", "application/geo+json",
             [this] { return workspace.proposals_geojson(); });
    download("/api/export/scenario.yaml", "scenario-proposal.yaml", "application/yaml; charset=utf-8",
             [this] { return workspace.scenario_yaml(); });
    download("/api/export/report.html", "report-proposal.html", "text/html; charset=utf-8",
             [this] { return workspace.report_html(); });
  }
};

WorkspaceServer::WorkspaceServer(Workspace& workspace, ServeOptions options)
    : impl_(std::make_unique<Impl>(workspace, std::move(options))) {
  impl_->routes();
}

WorkspaceServer::~WorkspaceServer() { stop(); }

int WorkspaceServer::bind() {
  Impl& i = *impl_;
  if (i.options.port == 0) {
    i.port = i.server.bind_to_any_port(i.options.host);
    if (i.port <= 0) throw OutputError("serve: cannot listen on " + i.options.host + " (" + std::strerror(errno) + ")");
  } else {
    if (!i.server.bind_to_port(i.options.host, i.options.port))
      throw OutputError("serve: cannot listen on " + i.options.host + ":" + std::to_string(i.options.port) + " (" +
                        std::strerror(errno) + "; another program may use the port: try --port 0 for any free one)");
    i.port = i.options.port;
  }
  return i.port;
}

void WorkspaceServer::run() { impl_->server.listen_after_bind(); }

void WorkspaceServer::stop() {
  if (impl_ && impl_->server.is_running()) impl_->server.stop();
}

void WorkspaceServer::on_request(std::function<void(const std::string&, const std::string&, int, double)> log) {
  impl_->log = std::move(log);
}

}  // namespace legalcircle
