// A bounded load test of a running `legalcircle serve` on loopback: N evaluate requests (one
// proposed point at a random village each) over C keep-alive connections, with malformed,
// oversized and wrongly-addressed requests mixed in. Prints p50 / p99 / max latency, throughput,
// the server's peak RSS (VmHWM of --pid) and every unexpected answer; exit 1 if there was one.
//
//   legalcircle_serve_load --url http://127.0.0.1:8765/ --pid 1234 --requests 2000 --connections 8
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace {

long peak_rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Load test of a running legalcircle serve (loopback)"};
  std::string url;
  int pid = 0, requests = 2000, connections = 8;
  unsigned seed = 1;
  app.add_option("--url", url, "The address serve printed")->required();
  app.add_option("--pid", pid, "The server's process id (for its peak RSS)");
  app.add_option("--requests", requests, "Evaluate requests in all")->capture_default_str();
  app.add_option("--connections", connections, "Concurrent keep-alive connections")->capture_default_str();
  app.add_option("--seed", seed, "Random seed for the points")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  const std::string host = "127.0.0.1";
  const int port = std::atoi(url.c_str() + url.rfind(':') + 1);

  httplib::Client setup(host, port);
  auto villages = setup.Get("/api/villages");
  auto scenario = setup.Get("/api/scenario");
  if (!villages || villages->status != 200 || !scenario || scenario->status != 200) {
    std::cerr << "serve_load: " << url << " does not answer /api/villages\n";
    return 2;
  }
  const auto v = nlohmann::json::parse(villages->body);
  const auto sc = nlohmann::json::parse(scenario->body);
  const std::string tier = sc["default_tier"];
  std::vector<std::string> bodies;
  std::mt19937 rng(seed);
  for (int i = 0; i < requests; ++i) {
    const auto& p = v[rng() % v.size()];
    nlohmann::json b = {{"add", {{{"lon", p["lon"]}, {"lat", p["lat"]}}}}};
    if (!tier.empty()) b["add"][0]["tier"] = tier;
    bodies.push_back(b.dump());
  }

  std::vector<double> ms(std::size_t(requests), 0.0);
  std::atomic<int> next{0}, unexpected{0}, bad_sent{0};
  std::mutex log_mutex;
  auto report = [&](const std::string& what) {
    std::lock_guard lock(log_mutex);
    if (unexpected++ < 20) std::cerr << "serve_load: unexpected: " << what << "\n";
  };
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c)
    threads.emplace_back([&, c] {
      httplib::Client client(host, port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);  // else Nagle + delayed ACK add ~40 ms to each request
      client.set_read_timeout(120, 0);
      for (int i = next++; i < requests; i = next++) {
        // Every 40th request of a connection is a bad one first; the evaluate must still succeed.
        if (i % 40 == c) {
          const int kind = (i / 40) % 4;
          const int expect = kind == 1 ? 413 : kind == 2 ? 403 : 400;
          httplib::Result r =
              kind == 0   ? client.Post("/api/evaluate", "{\"add\": [", "application/json")
              : kind == 1 ? client.Post("/api/evaluate", std::string(1 << 20, 'x'), "application/json")
              : kind == 2 ? client.Get("/api/state", {{"Host", "rebind.example:" + std::to_string(port)}})
                          : client.Post("/api/evaluate", "{\"add\":[{\"lon\":500,\"lat\":0}]}", "application/json");
          ++bad_sent;
          if (!r) {
            // The server may close a connection after refusing a huge body: reconnect.
            if (kind != 1) report("bad request kind " + std::to_string(kind) + ": no answer");
          } else if (r->status != expect) {
            report("bad request kind " + std::to_string(kind) + ": status " + std::to_string(r->status));
          }
        }
        const auto t0 = std::chrono::steady_clock::now();
        auto r = client.Post("/api/evaluate", bodies[std::size_t(i)], "application/json");
        ms[std::size_t(i)] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (!r) report("evaluate " + std::to_string(i) + ": no answer (" + httplib::to_string(r.error()) + ")");
        else if (r->status != 200) report("evaluate " + std::to_string(i) + ": status " + std::to_string(r->status) + " " + r->body);
      }
    });
  for (auto& t : threads) t.join();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  auto pct = [&](double q) { return sorted.empty() ? 0.0 : sorted[std::min(sorted.size() - 1, std::size_t(q * double(sorted.size())))]; };
  std::printf("serve_load: %d evaluate requests over %d connections in %.2f s (%.0f/s), %d bad requests mixed in\n",
              requests, connections, wall, requests / wall, bad_sent.load());
  std::printf("serve_load: latency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", pct(0.5), pct(0.99), sorted.empty() ? 0.0 : sorted.back());
  if (pid > 0) std::printf("serve_load: server peak RSS %.1f MiB\n", double(peak_rss_kib(pid)) / 1024.0);
  std::printf("serve_load: %d unexpected answers\n", unexpected.load());
  return unexpected.load() == 0 ? 0 : 1;
}
