#pragma once
// Runs a shell command for CLI tests, capturing stdout and stderr together.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace legalcircle::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) r.output += buf.data();
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

#ifdef LEGALCIRCLE_SOURCE_DIR
// A shipped scenario (configs/NAME.yaml) with its relative paths made absolute, so a copy written
// anywhere runs like the original.
inline std::string shipped_scenario_text(const std::string& name) {
  const std::string source = LEGALCIRCLE_SOURCE_DIR;
  std::string yaml = read_file(std::filesystem::path(source) / "configs" / (name + ".yaml"));
  yaml = replace_all(yaml, "../geodata", source + "/geodata");
  return replace_all(yaml, "file: profiles.yaml", "file: " + source + "/configs/profiles.yaml");
}

// The inputs section of a scenario on the embedded synthetic county.
inline std::string synthetic_inputs_yaml() {
  const std::string g = std::string(LEGALCIRCLE_SOURCE_DIR) + "/geodata/synthetic-county/";
  return "inputs:\n  roads: " + g + "roads.osm.pbf\n  services: " + g + "services.csv\n  demand: " + g +
         "villages.geojson\n";
}
#endif

// A fresh empty folder under the system temp dir, unique per test.
inline std::filesystem::path fresh_temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("legalcircle-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace legalcircle::testing
