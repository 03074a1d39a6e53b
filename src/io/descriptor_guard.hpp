#pragma once
// libosmium 2.18 (Debian 12) leaves the input file's descriptor open when its PBF parser fails on a
// corrupt file (the parser thread reads the descriptor directly and nobody closes it on the error
// path): one leaked descriptor per failed read, found by fuzz_osm (5,000 in seconds). A long
// running process (the fuzzers, a server) then fails every open with EMFILE. This guard notes the
// descriptors open on `path` before a read and closes the ones a failed read leaves behind; it
// runs after libosmium's Reader is destroyed (its threads joined), so nothing still uses them.
#include <dirent.h>
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <set>
#include <string>

namespace legalcircle::io_detail {

class DescriptorGuard {
 public:
  explicit DescriptorGuard(const std::string& path) {
    std::error_code ec;
    target_ = std::filesystem::weakly_canonical(path, ec).string();
    before_ = open_on_target();
  }
  DescriptorGuard(const DescriptorGuard&) = delete;
  DescriptorGuard& operator=(const DescriptorGuard&) = delete;
  // Call once the reader is gone and the read failed.
  void close_leaked() const {
    for (int fd : open_on_target())
      if (!before_.count(fd)) ::close(fd);
  }

 private:
  std::set<int> open_on_target() const {
    std::set<int> fds;
    DIR* dir = ::opendir("/proc/self/fd");
    if (!dir) return fds;
    const int own = ::dirfd(dir);
    while (const dirent* e = ::readdir(dir)) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      const int fd = std::atoi(e->d_name);
      if (fd == own) continue;
      char link[PATH_MAX];
      const std::string entry = std::string("/proc/self/fd/") + e->d_name;
      const ssize_t n = ::readlink(entry.c_str(), link, sizeof link - 1);
      if (n > 0 && std::string(link, static_cast<std::size_t>(n)) == target_) fds.insert(fd);
    }
    ::closedir(dir);
    return fds;
  }

  std::string target_;
  std::set<int> before_;
};

}  // namespace legalcircle::io_detail
